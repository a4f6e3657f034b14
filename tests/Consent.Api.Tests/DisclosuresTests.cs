using System.Globalization;
using System.Net;
using System.Text.Json;
using Consent.Api.DisclosureLog;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>
/// The API with eight decisions in its disclosure log, appended through <see cref="IDisclosureLog"/> a minute apart
/// on the API's clock, for the demo survivors and agencies.
/// </summary>
public sealed class DisclosuresHost : IAsyncLifetime
{
    public const string Grant1 = "0192f6a0-0000-7000-8000-000000000001";
    public const string Grant2 = "0192f6a0-0000-7000-8000-000000000002";
    public const string Grant3 = "0192f6a0-0000-7000-8000-000000000003";
    public const string Mou1 = "0192f6a0-0000-7000-8000-000000000011";
    public const string Mou2 = "0192f6a0-0000-7000-8000-000000000012";
    public const string Mou3 = "0192f6a0-0000-7000-8000-000000000013";
    public const string Mou4 = "0192f6a0-0000-7000-8000-000000000014";
    public const string Statutory1 = "0192f6a0-0000-7000-8000-000000000021";
    public const string BreakGlass1 = "0192f6a0-0000-7000-8000-000000000031";

    /// <summary>Ids of staff at recipient agencies: a survivor must never see them.</summary>
    public static readonly string[] StaffUserIds = ["nurse-417", "officer-22", "attorney-9", "cpw-3"];

    public static readonly string[] ClientIds = ["northside-ehr", "metro-rms", "bridge-cms", "dcf-cases", "lighthouse-ehr"];

    public ApiHost Api { get; } = new();

    /// <summary>The entries as appended, in sequence order (entry n of the list below is <c>Entries[n - 1]</c>).</summary>
    public List<DisclosureEntry> Entries { get; } = [];

    public async Task InitializeAsync()
    {
        var log = Api.Services.GetRequiredService<IDisclosureLog>();
        DisclosureDraft[] drafts =
        [
            // 1-2: sv-1001's grant to the clinic, under the harbor-house/clinic MOU.
            Draft("northside-clinic", "northside-ehr", "nurse-417", "sv-1001", "Observation", ["Observation/o1", "Observation/o2", "Condition/c1"],
                "TREAT", DisclosureDecision.Permit, [Basis(DisclosureBasisKind.ConsentGrant, Grant1), Basis(DisclosureBasisKind.Mou, Mou1)]),
            Draft("northside-clinic", "northside-ehr", null, "sv-1001", "Patient", ["Patient/sv-1001"],
                "COC", DisclosureDecision.Permit, [Basis(DisclosureBasisKind.ConsentGrant, Grant1), Basis(DisclosureBasisKind.Mou, Mou1)]),
            // 3: the police asked without a grant.
            Draft("metro-police", "metro-rms", "officer-22", "sv-1001", "Observation", [], "LAWENF", DisclosureDecision.Deny, []),
            // 4: legal aid under its own grant.
            Draft("bridge-legal", "bridge-cms", "attorney-9", "sv-1001", "DocumentReference", ["DocumentReference/d1"],
                "HLEGAL", DisclosureDecision.Permit, [Basis(DisclosureBasisKind.ConsentGrant, Grant2), Basis(DisclosureBasisKind.Mou, Mou2)]),
            // 5: an emergency read.
            Draft("northside-clinic", "northside-ehr", "nurse-417", "sv-1001", "Observation", ["Observation/o3"],
                "ETREAT", DisclosureDecision.Permit, [Basis(DisclosureBasisKind.BreakGlass, BreakGlass1), Basis(DisclosureBasisKind.Mou, Mou1)], breakGlass: true),
            // 6-7: the minor's open 51A case.
            Draft("dcf-region-4", "dcf-cases", "cpw-3", "sv-1002", "CarePlan", ["CarePlan/cp1"],
                "CHILDPROT", DisclosureDecision.Permit, [Basis(DisclosureBasisKind.StatutoryBasis, Statutory1), Basis(DisclosureBasisKind.Mou, Mou3)]),
            Draft("metro-police", "metro-rms", "officer-22", "sv-1002", "Observation", [],
                "CHILDPROT", DisclosureDecision.Deny, [Basis(DisclosureBasisKind.StatutoryBasis, Statutory1)]),
            // 8: a purpose code the platform does not configure.
            Draft("lighthouse-counseling", "lighthouse-ehr", null, "sv-1001", "Goal", ["Goal/g1"],
                "PEER-SUPPORT", DisclosureDecision.Permit, [Basis(DisclosureBasisKind.ConsentGrant, Grant3), Basis(DisclosureBasisKind.Mou, Mou4)]),
        ];
        foreach (var draft in drafts)
        {
            Entries.Add(await log.AppendAsync(draft, CancellationToken.None));
            Api.Clock.Advance(TimeSpan.FromMinutes(1));
        }
    }

    public long Seq(int n) => Entries[n - 1].Sequence;

    public Task DisposeAsync() => Api.DisposeAsync().AsTask();

    private static DisclosureBasis Basis(DisclosureBasisKind kind, string id) => new(kind, id);

    private static DisclosureDraft Draft(
        string agency, string client, string? user, string survivor, string type, string[] ids, string purpose, DisclosureDecision decision,
        DisclosureBasis[] basis, bool breakGlass = false) =>
        new(agency, client, user, survivor, type, ids, purpose, decision, basis, "0.1.0", "req-" + Guid.NewGuid().ToString("n"), breakGlass);
}

/// <summary>Reading the disclosure log: the survivor's accounting of disclosures and the compliance search.</summary>
public sealed class DisclosuresTests(DisclosuresHost host) : IClassFixture<DisclosuresHost>
{
    private ApiHost Api => host.Api;

    [Fact]
    public async Task Survivor_SeesTheirPermittedDisclosures_NewestFirst_InPlainWords()
    {
        var survivor = await Api.Parties.Survivor();
        var response = await survivor.GetAsync("/api/survivors/sv-1001/disclosures");
        var text = await response.Content.ReadAsStringAsync();
        var page = await response.Json();

        var items = page.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("sequence").GetInt64()).ShouldBe([host.Seq(8), host.Seq(5), host.Seq(4), host.Seq(2), host.Seq(1)]);
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);

        var first = items[^1];
        first.GetProperty("at").GetDateTimeOffset().ShouldBe(host.Entries[0].RecordedAt);
        first.GetProperty("recipient").GetProperty("id").GetString().ShouldBe("northside-clinic");
        first.GetProperty("recipient").GetProperty("name").GetString().ShouldBe("Northside Community Clinic");
        first.GetProperty("recipient").GetProperty("type").GetString().ShouldBe("medical");
        first.GetProperty("records").Strings().ShouldBe(["Health"]);
        first.GetProperty("purpose").GetProperty("code").GetString().ShouldBe("TREAT");
        first.GetProperty("purpose").GetProperty("display").GetString().ShouldBe("Treatment");
        var basis = first.GetProperty("basis").EnumerateArray().ToList();
        basis[0].GetProperty("kind").GetString().ShouldBe("consent-grant");
        basis[0].GetProperty("id").GetString().ShouldBe(DisclosuresHost.Grant1);
        basis[0].GetProperty("label").GetString().ShouldBe("Your consent");
        basis[1].GetProperty("kind").GetString().ShouldBe("mou");
        first.GetProperty("breakGlass").GetBoolean().ShouldBeFalse();

        items[3].GetProperty("records").Strings().ShouldBe(["Contact details"]);
        items[2].GetProperty("records").Strings().ShouldBe(["Documents"]);
        items[2].GetProperty("purpose").GetProperty("display").GetString().ShouldBe("Legal");
        items[1].GetProperty("breakGlass").GetBoolean().ShouldBeTrue();
        items[1].GetProperty("basis")[0].GetProperty("label").GetString().ShouldBe("Emergency access");
        items[0].GetProperty("records").Strings().ShouldBe(["Case management"]);
        items[0].GetProperty("purpose").GetProperty("display").GetString().ShouldBe("PEER-SUPPORT", "an unknown code is shown as the code");

        // Nothing about the staff or systems that received the records; no denied read; nothing of another survivor.
        foreach (var leak in DisclosuresHost.StaffUserIds.Concat(DisclosuresHost.ClientIds).Concat(["userId", "clientId", "metro-police", "sv-1002", "dcf-region-4", "hash"]))
        {
            text.ShouldNotContain(leak, Case.Insensitive);
        }
    }

    [Fact]
    public async Task Survivor_AnotherSurvivorsDisclosures_AnswerLikeAMissingSurvivor()
    {
        var survivor = await Api.Parties.Survivor();
        var foreign = await (await survivor.GetAsync("/api/survivors/sv-1002/disclosures")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var missing = await (await survivor.GetAsync("/api/survivors/sv-nobody/disclosures")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));
        foreign.ShouldNotContain("sv-1002");
        foreign.ShouldNotContain("dcf-region-4");
    }

    [Fact]
    public async Task AdvocateOfTheEnrollingAgency_SeesTheDisclosures_WithClientIds_ButNoStaffIds()
    {
        var advocate = await Api.Parties.Advocate();
        var response = await advocate.GetAsync("/api/survivors/sv-1001/disclosures");
        var text = await response.Content.ReadAsStringAsync();
        var items = (await response.Json()).GetProperty("items").EnumerateArray().ToList();
        items.Count.ShouldBe(5);
        items[^1].GetProperty("clientId").GetString().ShouldBe("northside-ehr");
        foreach (var user in DisclosuresHost.StaffUserIds.Append("userId"))
        {
            text.ShouldNotContain(user, Case.Insensitive);
        }

        var minor = (await (await advocate.GetAsync("/api/survivors/sv-1002/disclosures")).Json()).GetProperty("items").EnumerateArray().ToList();
        minor.Select(i => i.GetProperty("sequence").GetInt64()).ShouldBe([host.Seq(6)]);
        minor[0].GetProperty("basis")[0].GetProperty("kind").GetString().ShouldBe("statutory-basis");
        minor[0].GetProperty("purpose").GetProperty("display").GetString().ShouldBe("Child-protection investigation");
    }

    [Fact]
    public async Task Compliance_ReadsASurvivorsDisclosures()
    {
        var compliance = await Api.Parties.Compliance();
        var items = (await (await compliance.GetAsync("/api/survivors/sv-1001/disclosures")).Json()).GetProperty("items");
        items.GetArrayLength().ShouldBe(5);
    }

    [Fact]
    public async Task OtherAgenciesStaff_AgencyAdmins_AndAgencySystems_GetNotFound_LikeAMissingSurvivor()
    {
        var missing = await (await (await Api.Parties.Advocate()).GetAsync("/api/survivors/sv-nobody/disclosures"))
            .Problem(HttpStatusCode.NotFound, "survivor-not-found");
        HttpClient[] callers =
        [
            await Api.Parties.As(await Api.Parties.CreateUserAsync("advocate", agencyId: "northside-clinic")),
            await Api.Parties.ShelterAdmin(),
            await Api.Parties.AgencySystem("harbor-house"),
            await Api.Parties.AgencySystem("northside-clinic"),
        ];
        foreach (var caller in callers)
        {
            var body = await (await caller.GetAsync("/api/survivors/sv-1001/disclosures")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
            Http.WithoutTrace(body).ShouldBe(Http.WithoutTrace(missing));
        }

        (await Api.Parties.Anonymous().GetAsync("/api/survivors/sv-1001/disclosures")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SurvivorPaging_ReturnsEveryDisclosureOnce_ThroughTheNextLinks()
    {
        var survivor = await Api.Parties.Survivor();
        var seen = new List<long>();
        var pages = 0;
        for (var url = "/api/survivors/sv-1001/disclosures?limit=2"; url is not null; pages++)
        {
            var page = await (await survivor.GetAsync(url)).Json();
            var items = page.GetProperty("items");
            items.GetArrayLength().ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(items.EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64()));
            url = page.GetProperty("next").GetString();
        }

        pages.ShouldBe(3);
        seen.ShouldBe([host.Seq(8), host.Seq(5), host.Seq(4), host.Seq(2), host.Seq(1)]);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("before=-3", "before")]
    [InlineData("page=2", "page")]
    public async Task SurvivorEndpoint_BadParameters_AreRefused_NamingTheField(string query, string field)
    {
        var survivor = await Api.Parties.Survivor();
        var body = await (await survivor.GetAsync("/api/survivors/sv-1001/disclosures?" + query)).Problem(HttpStatusCode.BadRequest, "invalid-request");
        JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(body);
    }

    [Theory]
    [InlineData("", new[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData("agency=northside-clinic", new[] { 1, 2, 5 })]
    [InlineData("agency=metro-police", new[] { 3, 7 })]
    [InlineData("agency=harbor-house", new int[0])]
    [InlineData("survivor=sv-1001", new[] { 1, 2, 3, 4, 5, 8 })]
    [InlineData("survivor=sv-1002", new[] { 6, 7 })]
    [InlineData("purpose=TREAT", new[] { 1 })]
    [InlineData("purpose=CHILDPROT", new[] { 6, 7 })]
    [InlineData("basis=consent-grant", new[] { 1, 2, 4, 8 })]
    [InlineData("basis=ConsentGrant", new[] { 1, 2, 4, 8 })]
    [InlineData("basis=mou", new[] { 1, 2, 4, 5, 6, 8 })]
    [InlineData("basis=statutory-basis", new[] { 6, 7 })]
    [InlineData("basis=break-glass", new[] { 5 })]
    [InlineData("basis=consent-grant:" + DisclosuresHost.Grant1, new[] { 1, 2 })]
    [InlineData("basis=mou:" + DisclosuresHost.Mou1, new[] { 1, 2, 5 })]
    [InlineData("basis=Mou:" + DisclosuresHost.Mou3, new[] { 6 })]
    [InlineData("basis=mou:" + DisclosuresHost.Grant1, new int[0])]
    [InlineData("decision=deny", new[] { 3, 7 })]
    [InlineData("decision=permit", new[] { 1, 2, 4, 5, 6, 8 })]
    [InlineData("breakGlass=true", new[] { 5 })]
    [InlineData("breakGlass=false", new[] { 1, 2, 3, 4, 6, 7, 8 })]
    [InlineData("survivor=sv-1001&decision=permit&basis=mou", new[] { 1, 2, 4, 5, 8 })]
    [InlineData("agency=northside-clinic&breakGlass=true&purpose=ETREAT", new[] { 5 })]
    public async Task Compliance_FiltersTheLog(string query, int[] expected)
    {
        var compliance = await Api.Parties.Compliance();
        var page = await (await compliance.GetAsync("/api/disclosures?" + query)).Json();
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64()).ShouldBe(expected.Select(host.Seq));
        page.GetProperty("next").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Compliance_FiltersByTimeRange_FromInclusive_ToExclusive()
    {
        var compliance = await Api.Parties.Compliance();
        async Task<long[]> Sequences(string query) =>
            [.. (await (await compliance.GetAsync("/api/disclosures?" + query)).Json()).GetProperty("items").EnumerateArray()
                .Select(i => i.GetProperty("sequence").GetInt64())];

        (await Sequences($"from={Instant(3)}&to={Instant(6)}")).ShouldBe([host.Seq(3), host.Seq(4), host.Seq(5)]);
        (await Sequences($"from={Instant(7)}")).ShouldBe([host.Seq(7), host.Seq(8)]);
        (await Sequences($"to={Instant(2)}")).ShouldBe([host.Seq(1)]);
        (await Sequences($"from={Instant(3)}&to={Instant(6)}&survivor=sv-1001&decision=permit")).ShouldBe([host.Seq(4), host.Seq(5)]);
        var later = host.Entries[^1].RecordedAt.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        (await Sequences($"from={later}")).ShouldBeEmpty();

        // The same instant with an offset instead of Z (the + escaped, as a URL needs).
        var withOffset = host.Entries[2].RecordedAt.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        (await Sequences($"from={Uri.EscapeDataString(withOffset)}&to={Instant(4)}")).ShouldBe([host.Seq(3)]);
    }

    [Fact]
    public async Task Compliance_ReadsFullEntries_WithStaffIdsAndHashes()
    {
        var compliance = await Api.Parties.Compliance();
        var page = await (await compliance.GetAsync($"/api/disclosures?after={host.Seq(4)}&limit=1")).Json();
        var entry = page.GetProperty("items")[0];
        var expected = host.Entries[4];
        entry.GetProperty("sequence").GetInt64().ShouldBe(expected.Sequence);
        entry.GetProperty("recordedAt").GetDateTimeOffset().ShouldBe(expected.RecordedAt);
        entry.GetProperty("recipientAgencyId").GetString().ShouldBe("northside-clinic");
        entry.GetProperty("clientId").GetString().ShouldBe("northside-ehr");
        entry.GetProperty("userId").GetString().ShouldBe("nurse-417");
        entry.GetProperty("survivorId").GetString().ShouldBe("sv-1001");
        entry.GetProperty("resourceType").GetString().ShouldBe("Observation");
        entry.GetProperty("resourceIds").Strings().ShouldBe(["Observation/o3"]);
        entry.GetProperty("purposeOfUse").GetString().ShouldBe("ETREAT");
        entry.GetProperty("decision").GetString().ShouldBe("permit");
        entry.GetProperty("basis")[0].GetProperty("kind").GetString().ShouldBe("mou");
        entry.GetProperty("basis")[1].GetProperty("id").GetString().ShouldBe(DisclosuresHost.BreakGlass1);
        entry.GetProperty("policyVersion").GetString().ShouldBe("0.1.0");
        entry.GetProperty("requestId").GetString().ShouldBe(expected.RequestId);
        entry.GetProperty("breakGlass").GetBoolean().ShouldBeTrue();
        entry.GetProperty("previousHash").GetString().ShouldBe(host.Entries[3].Hash);
        entry.GetProperty("hash").GetString().ShouldBe(expected.Hash);
        page.GetProperty("next").GetString().ShouldBe($"/api/disclosures?limit=1&after={expected.Sequence}");
    }

    [Fact]
    public async Task CompliancePaging_ReturnsEveryEntryOnce_AndKeepsTheFilters()
    {
        var compliance = await Api.Parties.Compliance();
        var seen = new List<long>();
        var pages = 0;
        for (var url = "/api/disclosures?limit=3"; url is not null; pages++)
        {
            var page = await (await compliance.GetAsync(url)).Json();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64()));
            url = page.GetProperty("next").GetString();
        }

        pages.ShouldBe(3);
        seen.ShouldBe(host.Entries.Select(e => e.Sequence));

        seen.Clear();
        for (var url = $"/api/disclosures?survivor=sv-1001&basis=mou&from={Instant(2)}&limit=2"; url is not null;)
        {
            var page = await (await compliance.GetAsync(url)).Json();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64()));
            url = page.GetProperty("next").GetString();
        }

        seen.ShouldBe([host.Seq(2), host.Seq(4), host.Seq(5), host.Seq(8)]);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=many", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("after=x", "after")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-01-01T00:00:00", "from")]
    [InlineData("from=2026-01-01", "from")]
    [InlineData("to=2026-13-01T00:00:00Z", "to")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("decision=maybe", "decision")]
    [InlineData("decision=", "decision")]
    [InlineData("breakGlass=yes", "breakGlass")]
    [InlineData("basis=contract", "basis")]
    [InlineData("basis=mou:", "basis")]
    [InlineData("basis=1", "basis")]
    [InlineData("purpose=", "purpose")]
    [InlineData("agency=", "agency")]
    [InlineData("agencyId=northside-clinic", "agencyId")]
    [InlineData("agency=northside-clinic&agency=bridge-legal", "agency")]
    public async Task Compliance_BadParameters_AreRefused_NamingTheField(string query, string field)
    {
        var compliance = await Api.Parties.Compliance();
        var body = await (await compliance.GetAsync("/api/disclosures?" + query)).Problem(HttpStatusCode.BadRequest, "invalid-request");
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        errors.TryGetProperty(field, out _).ShouldBeTrue(body);
        errors.EnumerateObject().Count().ShouldBe(1, body);
    }

    [Fact]
    public async Task OnlyComplianceOfficers_SearchTheLog()
    {
        HttpClient[] callers =
        [
            await Api.Parties.Survivor(),
            await Api.Parties.Advocate(),
            await Api.Parties.ShelterAdmin(),
            await Api.Parties.PlatformAdmin(),
            await Api.Parties.AgencySystem("northside-clinic"),
        ];
        foreach (var caller in callers)
        {
            var body = await (await caller.GetAsync("/api/disclosures")).Problem(HttpStatusCode.Forbidden, "forbidden");
            body.ShouldNotContain("sv-1001");
            // Refused before the parameters are read: a bad one changes nothing.
            await (await caller.GetAsync("/api/disclosures?limit=0")).Problem(HttpStatusCode.Forbidden, "forbidden");
        }

        (await Api.Parties.Anonymous().GetAsync("/api/disclosures")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OpenApi_DocumentsBothEndpoints_WithTheirProblems()
    {
        var document = await (await Api.Parties.Anonymous().GetAsync("/openapi/v1.json")).Json();
        var paths = document.GetProperty("paths");
        var survivor = paths.GetProperty("/api/survivors/{survivorId}/disclosures").GetProperty("get").GetProperty("responses");
        survivor.TryGetProperty("404", out _).ShouldBeTrue();
        survivor.TryGetProperty("400", out _).ShouldBeTrue();
        var search = paths.GetProperty("/api/disclosures").GetProperty("get");
        search.GetProperty("responses").TryGetProperty("403", out _).ShouldBeTrue();
        search.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .ShouldBe(["agency", "survivor", "from", "to", "purpose", "basis", "decision", "breakGlass", "limit", "after"], ignoreOrder: true);
    }

    private string Instant(int n) =>
        host.Entries[n - 1].RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
