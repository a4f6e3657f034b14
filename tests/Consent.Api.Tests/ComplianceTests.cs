using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Consent.Api.DisclosureLog;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Tests;

/// <summary>
/// The API with a Korean-speaking survivor enrolled by Harbor House and entries appended through <see cref="IDisclosureLog"/>:
/// her disclosures (a grant, a 51A case, a break-glass read and a denied police read), a deny with hostile text in every
/// field (for the CSV), and enough clinic reads in one month for a statistics cell to be shown.
/// </summary>
public sealed class ComplianceHost : IAsyncLifetime
{
    public const string Grant1 = "0192f6a0-0000-7000-8000-000000000101";
    public const string Mou1 = "0192f6a0-0000-7000-8000-000000000111";
    public const string Statutory1 = "0192f6a0-0000-7000-8000-000000000121";
    public const string BreakGlass1 = "0192f6a0-0000-7000-8000-000000000131";

    /// <summary>Every text field of one denied entry, each aimed at a spreadsheet or at the CSV's structure.</summary>
    public static readonly (string Agency, string Client, string User, string Survivor, string Purpose, string Request) Hostile = (
        "+agency,with\"quote", "@client", "-1+2", "=HYPERLINK(\"http://evil.example\",\"click\")", "\tTAB", "line one\r\nline two, \"quoted\"");

    public ApiHost Api { get; } = new();

    /// <summary>The Korean-speaking survivor whose disclosures are listed.</summary>
    public string SurvivorKo { get; private set; } = "";

    public List<DisclosureEntry> Entries { get; } = [];

    public DisclosureEntry Hostile1 => Entries[4];

    public async Task InitializeAsync()
    {
        var advocate = await Api.Parties.Advocate();
        SurvivorKo = (await (await advocate.Post("/api/survivors", new { preferredLanguage = "ko", dateOfBirth = "1990-05-01" }))
            .Json(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var log = Api.Services.GetRequiredService<IDisclosureLog>();
        DisclosureDraft[] drafts =
        [
            Draft("northside-clinic", "northside-ehr", "nurse-417", SurvivorKo, "Observation", ["Observation/o1", "Observation/o2"], "TREAT",
                DisclosureDecision.Permit, [new(DisclosureBasisKind.ConsentGrant, Grant1), new(DisclosureBasisKind.Mou, Mou1)]),
            Draft("metro-police", "metro-rms", "officer-22", SurvivorKo, "Observation", [], "LAWENF", DisclosureDecision.Deny, []),
            Draft("northside-clinic", "northside-ehr", "nurse-417", SurvivorKo, "Observation", ["Observation/o3"], "ETREAT", DisclosureDecision.Permit,
                [new(DisclosureBasisKind.BreakGlass, BreakGlass1), new(DisclosureBasisKind.Mou, Mou1)], breakGlass: true),
            Draft("dcf-region-4", "dcf-cases", "cpw-3", SurvivorKo, "CarePlan", ["CarePlan/cp1"], "CHILDPROT", DisclosureDecision.Permit,
                [new(DisclosureBasisKind.StatutoryBasis, Statutory1), new(DisclosureBasisKind.Mou, Mou1)]),
            new(Hostile.Agency, Hostile.Client, Hostile.User, Hostile.Survivor, "Observation", [], Hostile.Purpose, DisclosureDecision.Deny, [],
                "0.1.0", Hostile.Request, false),
        ];
        foreach (var draft in drafts)
        {
            Entries.Add(await log.AppendAsync(draft, CancellationToken.None));
            Api.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Eleven more treatment reads by the clinic (12 with the first: shown) and three legal reads (suppressed).
        for (var i = 0; i < 11; i++)
        {
            Entries.Add(await log.AppendAsync(Draft("northside-clinic", "northside-ehr", null, $"sv-stat-{i}", "Observation", [$"Observation/s{i}"], "TREAT",
                DisclosureDecision.Permit, [new(DisclosureBasisKind.ConsentGrant, Grant1), new(DisclosureBasisKind.Mou, Mou1)]), CancellationToken.None));
        }

        for (var i = 0; i < 3; i++)
        {
            Entries.Add(await log.AppendAsync(Draft("bridge-legal", "bridge-cms", null, $"sv-legal-{i}", "DocumentReference", [$"DocumentReference/d{i}"],
                "HLEGAL", DisclosureDecision.Permit, [new(DisclosureBasisKind.ConsentGrant, Grant1), new(DisclosureBasisKind.Mou, Mou1)]), CancellationToken.None));
        }
    }

    public Task DisposeAsync() => Api.DisposeAsync().AsTask();

    public static DisclosureDraft Draft(
        string agency, string client, string? user, string survivor, string type, string[] ids, string purpose, DisclosureDecision decision,
        DisclosureBasis[] basis, bool breakGlass = false) =>
        new(agency, client, user, survivor, type, ids, purpose, decision, basis, "0.1.0", "req-" + Guid.NewGuid().ToString("n"), breakGlass);
}

public sealed class ComplianceTests(ComplianceHost host) : IClassFixture<ComplianceHost>
{
    private static readonly string[] Endpoints =
    [
        "/api/compliance/dashboard",
        "/api/compliance/exports/disclosures.csv",
        "/api/compliance/exports/audit-events",
        "/api/compliance/anomalies",
        "/api/compliance/statistics",
        "/api/compliance/statistics.csv",
    ];

    private ApiHost Api => host.Api;

    // ---- CSV export ----

    [Fact]
    public async Task CsvExport_IsAnAttachment_WithAHeaderRow_AndEveryFilteredEntry()
    {
        var compliance = await Api.Parties.Compliance();
        var response = await compliance.GetAsync("/api/compliance/exports/disclosures.csv?agency=northside-clinic&breakGlass=true");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        response.Content.Headers.ContentDisposition.FileName!.Trim('"').ShouldEndWith(".csv");

        var rows = ParseCsv(text);
        rows[0].ShouldBe(["sequence", "recordedAt", "recipientAgencyId", "clientId", "userId", "survivorId", "resourceType", "resourceIds",
            "purposeOfUse", "decision", "basis", "policyVersion", "requestId", "breakGlass", "previousHash", "hash"]);
        var row = rows.Skip(1).ShouldHaveSingleItem();
        var entry = host.Entries[2];
        row[0].ShouldBe(entry.Sequence.ToString(CultureInfo.InvariantCulture));
        row[1].ShouldBe(entry.RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        row[5].ShouldBe(host.SurvivorKo);
        row[7].ShouldBe("Observation/o3");
        row[10].ShouldBe($"Mou:{ComplianceHost.Mou1} BreakGlass:{ComplianceHost.BreakGlass1}");
        row[13].ShouldBe("true");
        row[15].ShouldBe(entry.Hash);
        text.ShouldEndWith("\r\n");
    }

    [Fact]
    public async Task CsvExport_QuotesCommasQuotesAndNewlines_AndDefusesFormulas()
    {
        var compliance = await Api.Parties.Compliance();
        var text = await (await compliance.GetAsync("/api/compliance/exports/disclosures.csv?decision=deny&purpose=%09TAB")).Content.ReadAsStringAsync();
        var row = ParseCsv(text).Skip(1).ShouldHaveSingleItem();
        var hostile = ComplianceHost.Hostile;
        row[2].ShouldBe("'" + hostile.Agency);
        row[3].ShouldBe("'" + hostile.Client);
        row[4].ShouldBe("'" + hostile.User);
        row[5].ShouldBe("'" + hostile.Survivor);
        row[8].ShouldBe("'" + hostile.Purpose);
        row[12].ShouldBe(hostile.Request, "a newline, comma and quotes survive inside one quoted field");

        // On the wire: quoted fields with doubled quotes, and no field that a spreadsheet would run.
        text.ShouldContain("\"'+agency,with\"\"quote\"");
        text.ShouldContain("\"line one\r\nline two, \"\"quoted\"\"\"");
        foreach (var field in ParseCsv(text).SelectMany(r => r))
        {
            field.ShouldNotStartWith("=");
            field.ShouldNotStartWith("+");
            field.ShouldNotStartWith("@");
            field.ShouldNotStartWith("\t");
        }
    }

    [Fact]
    public async Task CsvExport_HonoursLimitAndAfter_InSequenceOrder()
    {
        var compliance = await Api.Parties.Compliance();
        var first = ParseCsv(await (await compliance.GetAsync("/api/compliance/exports/disclosures.csv?survivor=" + host.SurvivorKo + "&limit=2"))
            .Content.ReadAsStringAsync());
        first.Skip(1).Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)).ShouldBe([host.Entries[0].Sequence, host.Entries[1].Sequence]);
        var rest = ParseCsv(await (await compliance.GetAsync($"/api/compliance/exports/disclosures.csv?survivor={host.SurvivorKo}&after={host.Entries[1].Sequence}"))
            .Content.ReadAsStringAsync());
        rest.Skip(1).Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)).ShouldBe([host.Entries[2].Sequence, host.Entries[3].Sequence]);
    }

    // ---- FHIR AuditEvent export ----

    [Fact]
    public async Task AuditEventExport_ParsesStrictly_AndCarriesTheBalpElements()
    {
        var compliance = await Api.Parties.Compliance();
        var response = await compliance.GetAsync("/api/compliance/exports/audit-events?survivor=" + host.SurvivorKo);
        var json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");

        var options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict);
        var bundle = JsonSerializer.Deserialize<Bundle>(json, options)!;
        bundle.Type.ShouldBe(Bundle.BundleType.Collection);
        var events = bundle.Entry.Select(e => e.Resource).Cast<AuditEvent>().ToList();
        events.Count.ShouldBe(4);

        var read = events[2]; // the break-glass read of one record
        read.Meta!.Profile.ShouldBe(["https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead"]);
        read.Type!.System.ShouldBe("http://terminology.hl7.org/CodeSystem/audit-event-type");
        read.Type!.Code.ShouldBe("rest");
        read.Subtype.ShouldHaveSingleItem().Code.ShouldBe("read");
        read.Action.ShouldBe(AuditEvent.AuditEventAction.R);
        read.Outcome.ShouldBe(AuditEvent.AuditEventOutcome.N0);
        read.Recorded.ShouldBe(host.Entries[2].RecordedAt);
        read.PurposeOfEvent.ShouldHaveSingleItem().Coding.Select(c => c.Code).ShouldBe(["ETREAT", "BTG"]);

        var requestor = read.Agent.Single(a => a.Requestor == true);
        requestor.Who!.Identifier!.Value.ShouldBe("northside-clinic");
        requestor.Who!.Display.ShouldBe("Northside Community Clinic");
        requestor.Policy.ShouldBe([$"https://consent.example/basis/mou/{ComplianceHost.Mou1}", $"https://consent.example/basis/break-glass/{ComplianceHost.BreakGlass1}"]);
        read.Agent.ShouldContain(a => a.Type!.Coding[0].Code == "110153" && a.Who!.Identifier!.Value == "northside-ehr");
        var custodian = read.Agent.Single(a => a.Type!.Coding[0].Code == "110152");
        custodian.Role.ShouldHaveSingleItem().Coding[0].Code.ShouldBe("CST");
        read.Source!.Observer!.Identifier!.Value.ShouldBe("consent-platform");

        var patient = read.Entity.Single(e => e.Role?.Code == "1");
        patient.Type!.Code.ShouldBe("1");
        patient.What!.Identifier!.System.ShouldBe(FhirCalls.SurvivorSystem);
        patient.What!.Identifier!.Value.ShouldBe(host.SurvivorKo);
        patient.What!.Display.ShouldBeNull();
        read.Entity.Single(e => e.Role?.Code == "4").What!.Reference.ShouldBe("Observation/o3");
        read.Entity.Single(e => e.Role?.Code == "13").Detail.ShouldContain(d => d.Type == "hash" && ((FhirString)d.Value!).Value == host.Entries[2].Hash);

        var query = events[0]; // two records: a query
        query.Meta!.Profile.ShouldBe(["https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery"]);
        query.Subtype[0].Code.ShouldBe("search-type");
        query.Action.ShouldBe(AuditEvent.AuditEventAction.E);
        query.Entity.Count(e => e.Role?.Code == "4").ShouldBe(2);

        var denied = events[1];
        denied.Outcome.ShouldBe(AuditEvent.AuditEventOutcome.N4);
        denied.Entity.ShouldNotContain(e => e.Role != null && e.Role.Code == "4");
        denied.Agent.Single(a => a.Requestor == true).AltId.ShouldBe("officer-22");
    }

    [Fact]
    public async Task AuditEventExport_PagesThroughNextLinks()
    {
        var compliance = await Api.Parties.Compliance();
        var seen = new List<string>();
        var pages = 0;
        for (var url = "/api/compliance/exports/audit-events?limit=6"; url is not null; pages++)
        {
            var bundle = await (await compliance.GetAsync(url)).Fhir();
            seen.AddRange(bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!));
            url = bundle.TryGetProperty("link", out var links)
                ? links.EnumerateArray().Single(l => l.GetProperty("relation").GetString() == "next").GetProperty("url").GetString()
                : null;
        }

        var head = await Api.LogHeadAsync();
        seen.ShouldBe(Enumerable.Range(1, (int)head).Select(n => "disclosure-" + n));
        pages.ShouldBe((int)Math.Ceiling(head / 6.0));
    }

    // ---- Accounting of disclosures ----

    [Fact]
    public async Task Accounting_InKorean_ForTheSurvivorThemself_ExcludesDenials_FlagsEmergencyAnd51A()
    {
        var survivor = await Api.Parties.As(await Api.Parties.CreateUserAsync("survivor", survivorId: host.SurvivorKo));
        var response = await survivor.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting");
        var text = await response.Content.ReadAsStringAsync();
        var view = await response.Json();
        view.GetProperty("language").GetString().ShouldBe("ko");
        view.GetProperty("title").GetString().ShouldBe("내 정보를 본 기관");
        view.GetProperty("from").GetString().ShouldBe(DateOnly.FromDateTime(Api.Clock.GetUtcNow().UtcDateTime).AddYears(-6).ToString("yyyy-MM-dd"));
        var items = view.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("sequence").GetInt64()).ShouldBe([host.Entries[3].Sequence, host.Entries[2].Sequence, host.Entries[0].Sequence]);

        var childProtection = items[0];
        childProtection.GetProperty("childProtectionReport").GetBoolean().ShouldBeTrue();
        childProtection.GetProperty("purpose").GetProperty("display").GetString().ShouldBe("아동 보호 조사");
        childProtection.GetProperty("basis")[0].GetProperty("label").GetString().ShouldBe("법적 요구 (아동 보호)");
        childProtection.GetProperty("recipient").GetProperty("typeDisplay").GetString().ShouldBe("아동 보호");
        childProtection.GetProperty("what").Strings().ShouldBe(["사례 관리"]);

        var emergency = items[1];
        emergency.GetProperty("breakGlass").GetBoolean().ShouldBeTrue();
        emergency.GetProperty("basis")[0].GetProperty("label").GetString().ShouldBe("긴급 접근");
        emergency.GetProperty("notes").Strings().ShouldContain(n => n!.Contains("긴급"));

        var treatment = items[2];
        treatment.GetProperty("recipient").GetProperty("name").GetString().ShouldBe("Northside Community Clinic");
        treatment.GetProperty("recipient").GetProperty("region").GetString().ShouldBe("Region 4");
        treatment.GetProperty("recordCount").GetInt32().ShouldBe(2);
        treatment.GetProperty("what").Strings().ShouldBe(["건강"]);
        treatment.GetProperty("purpose").GetProperty("display").GetString().ShouldBe("치료");

        // Nothing of the denied police read, of staff, or of systems for the survivor.
        foreach (var leak in new[] { "metro-police", "Metro Police", "officer-22", "nurse-417", "cpw-3", "northside-ehr", "clientId", "userId", "hash" })
        {
            text.ShouldNotContain(leak, Case.Insensitive);
        }
    }

    [Fact]
    public async Task Accounting_InSpanish_ForTheAdvocate_AsJsonAndAsPrintableText()
    {
        var advocate = await Api.Parties.Advocate();
        var view = await (await advocate.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting?language=es")).Json();
        view.GetProperty("title").GetString().ShouldBe("Quién ha visto mi información");
        view.GetProperty("intro").GetString()!.ShouldContain("No aparecen las veces en que una agencia la pidió y se le negó");
        var items = view.GetProperty("items").EnumerateArray().ToList();
        items.Count.ShouldBe(3);
        items[2].GetProperty("purpose").GetProperty("display").GetString().ShouldBe("Tratamiento");
        items[2].GetProperty("what").Strings().ShouldBe(["Salud"]);
        items[2].GetProperty("basis")[0].GetProperty("label").GetString().ShouldBe("Su consentimiento");
        items[2].GetProperty("clientId").GetString().ShouldBe("northside-ehr", "staff see which system received the records");

        var response = await advocate.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting.txt?language=es");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        text.ShouldStartWith("Quién ha visto mi información");
        text.ShouldContain("Compartido con: Northside Community Clinic (Clínica o médico)");
        text.ShouldContain("Para qué: Investigación de protección infantil");
        text.ShouldContain("Se compartió en una emergencia");
        text.ShouldNotContain("Metro Police");
        text.ShouldNotContain("nurse-417");
    }

    [Fact]
    public async Task Accounting_InEnglish_UsesTheConfiguredDisplays_AndTheDateRangeFilters()
    {
        var compliance = await Api.Parties.Compliance();
        var view = await (await compliance.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting?language=en")).Json();
        var items = view.GetProperty("items").EnumerateArray().ToList();
        items[2].GetProperty("purpose").GetProperty("display").GetString().ShouldBe("Treatment");
        items[2].GetProperty("what").Strings().ShouldBe(["Health"]);
        items[0].GetProperty("purpose").GetProperty("display").GetString().ShouldBe("Child-protection investigation");

        var tomorrow = DateOnly.FromDateTime(Api.Clock.GetUtcNow().UtcDateTime).AddDays(1).ToString("yyyy-MM-dd");
        var later = await (await compliance.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting?from={tomorrow}&to={tomorrow}&language=en")).Json();
        later.GetProperty("items").GetArrayLength().ShouldBe(0);
        later.GetProperty("empty").GetString().ShouldBe("Nothing was shared in this period.");
        var korean = await (await compliance.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting?from={tomorrow}&to={tomorrow}")).Json();
        korean.GetProperty("empty").GetString().ShouldBe("이 기간에는 공유된 정보가 없습니다.", "the survivor's own language by default");
    }

    [Fact]
    public async Task Accounting_OfSomeoneElse_IsTheSame404_AsAMissingSurvivor()
    {
        var otherSurvivor = await Api.Parties.Survivor(); // sv-1001
        var unrelatedAdvocate = await Api.Parties.As(await Api.Parties.CreateUserAsync("advocate", agencyId: "northside-clinic"));
        foreach (var caller in new[] { otherSurvivor, unrelatedAdvocate, await Api.Parties.ShelterAdmin(), await Api.Parties.AgencySystem("northside-clinic") })
        {
            var missing = await (await caller.GetAsync("/api/survivors/sv-nobody/accounting")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
            var foreign = await (await caller.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
            Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));
            foreign.ShouldNotContain(host.SurvivorKo);
            // Hidden before the parameters are read: a bad one changes nothing.
            var bad = await (await caller.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting.txt?from=never")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
            Http.WithoutTrace(bad).ShouldBe(Http.WithoutTrace(missing));
        }

        (await Api.Parties.Anonymous().GetAsync($"/api/survivors/{host.SurvivorKo}/accounting")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("from=2026-13-01", "from")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-01-01T00:00:00Z", "to")]
    [InlineData("from=2026-02-01&to=2026-01-01", "to")]
    [InlineData("language=fr", "language")]
    [InlineData("lang=es", "lang")]
    [InlineData("language=es&language=ko", "language")]
    public async Task Accounting_BadParameters_AreRefused(string query, string field)
    {
        var advocate = await Api.Parties.Advocate();
        var body = await (await advocate.GetAsync($"/api/survivors/{host.SurvivorKo}/accounting?{query}")).Problem(HttpStatusCode.BadRequest, "invalid-request");
        JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(body);
    }

    // ---- Statistics ----

    [Fact]
    public async Task Statistics_ShowCellsOfElevenOrMore_SuppressSmallerOnes_AndNameNoSurvivorOrAgency()
    {
        var compliance = await Api.Parties.Compliance();
        var response = await compliance.GetAsync("/api/compliance/statistics");
        var text = await response.Content.ReadAsStringAsync();
        var report = await response.Json();
        report.GetProperty("minimumCellSize").GetInt32().ShouldBe(11);
        var month = host.Entries[0].RecordedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var cells = report.GetProperty("disclosures").EnumerateArray().ToList();
        var treatment = cells.Single(c => c.GetProperty("agencyType").GetString() == "medical" && c.GetProperty("purpose").GetString() == "TREAT");
        treatment.GetProperty("month").GetString().ShouldBe(month);
        // Twelve appended here, and one more if the real FHIR read below ran first.
        treatment.GetProperty("count").GetInt32().ShouldBeInRange(12, 13);
        treatment.GetProperty("suppressed").GetBoolean().ShouldBeFalse();
        var legal = cells.Single(c => c.GetProperty("agencyType").GetString() == "legal");
        legal.GetProperty("count").ValueKind.ShouldBe(JsonValueKind.Null);
        legal.GetProperty("suppressed").GetBoolean().ShouldBeTrue();
        cells.Single(c => c.GetProperty("purpose").GetString() == "CHILDPROT").GetProperty("suppressed").GetBoolean().ShouldBeTrue();
        cells.ShouldAllBe(c => c.GetProperty("suppressed").GetBoolean() || c.GetProperty("count").GetInt32() >= 11);
        report.GetProperty("grants").EnumerateArray().ShouldAllBe(c => c.GetProperty("suppressed").GetBoolean());
        report.TryGetProperty("total", out _).ShouldBeFalse();
        // Denied reads are not disclosures: the hostile deny's agency is nowhere.
        cells.ShouldNotContain(c => c.GetProperty("purpose").GetString() == ComplianceHost.Hostile.Purpose);

        var csvResponse = await compliance.GetAsync("/api/compliance/statistics.csv");
        var csv = await csvResponse.Content.ReadAsStringAsync();
        csvResponse.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var rows = ParseCsv(csv);
        rows[0].ShouldBe(["measure", "month", "agencyType", "purpose", "purposeDisplay", "count"]);
        rows.ShouldContain(r => r[0] == "disclosures" && r[2] == "medical" && r[3] == "TREAT" && r[5] == treatment.GetProperty("count").GetInt32().ToString(CultureInfo.InvariantCulture));
        rows.ShouldContain(r => r[0] == "disclosures" && r[2] == "legal" && r[5] == "suppressed");
        rows.Skip(1).ShouldAllBe(r => r[5] == "suppressed" || int.Parse(r[5], CultureInfo.InvariantCulture) >= 11);

        foreach (var body in new[] { text, csv })
        {
            foreach (var leak in new[] { host.SurvivorKo, "sv-stat-", "sv-legal-", "sv-1001", "sv-", "northside-clinic", "Northside", "bridge-legal", "nurse-417", "northside-ehr" })
            {
                body.ShouldNotContain(leak, Case.Insensitive);
            }
        }
    }

    [Fact]
    public void AMinimumCellSizeBelowEleven_StopsTheApiFromStarting()
    {
        using var lax = Api.WithWebHostBuilder(builder => builder.UseSetting("Compliance:MinimumCellSize", "5"));
        var failure = Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => lax.CreateClient());
        failure.Message.ShouldContain("MinimumCellSize");
    }

    [Theory]
    [InlineData("from=2026-1", "from")]
    [InlineData("from=2026-01-01", "from")]
    [InlineData("to=2026-00", "to")]
    [InlineData("from=2026-05&to=2026-04", "to")]
    [InlineData("from=2010-01&to=2026-01", "from")]
    [InlineData("month=2026-01", "month")]
    public async Task Statistics_BadParameters_AreRefused(string query, string field)
    {
        var compliance = await Api.Parties.Compliance();
        var body = await (await compliance.GetAsync("/api/compliance/statistics?" + query)).Problem(HttpStatusCode.BadRequest, "invalid-request");
        JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(body);
    }

    // ---- Dashboard and break-glass review ----

    [Fact]
    public async Task Dashboard_CountsTheReviewQueue_AndReviewsRecordReviewerNoteAndTime_OldestFirst()
    {
        var compliance = await Api.Parties.Compliance();
        var before = await (await compliance.GetAsync("/api/compliance/dashboard")).Json();
        before.GetProperty("log").GetProperty("entriesLast24Hours").GetInt32().ShouldBeGreaterThanOrEqualTo(host.Entries.Count);
        before.GetProperty("log").GetProperty("deniedLast24Hours").GetInt32().ShouldBeGreaterThanOrEqualTo(2);
        before.GetProperty("log").GetProperty("entriesLast30Days").GetInt32().ShouldBeGreaterThanOrEqualTo(host.Entries.Count);

        var clinic = await Api.Parties.AgencySystem("northside-clinic");
        var ids = new List<string>();
        foreach (var reason in new[] { "First emergency: unconscious patient", "Second emergency: overdose in the lobby", "Third emergency: fire evacuation" })
        {
            ids.Add((await (await clinic.Post("/api/break-glass", new { survivorId = host.SurvivorKo, reason })).Json(HttpStatusCode.Created))
                .GetProperty("id").GetString()!);
            Api.Clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        var queue = (await (await compliance.GetAsync("/api/break-glass?needsReview=true")).Json()).EnumerateArray().ToList();
        var declared = queue.Select(r => r.GetProperty("declaredAt").GetDateTimeOffset()).ToList();
        declared.ShouldBe(declared.Order().ToList(), "the queue lists the oldest first");
        queue.Select(r => r.GetProperty("id").GetString()).Where(id => ids.Contains(id!)).ShouldBe(ids);

        var middle = await (await compliance.GetAsync("/api/compliance/dashboard")).Json();
        middle.GetProperty("breakGlass").GetProperty("unreviewed").GetInt32().ShouldBe(before.GetProperty("breakGlass").GetProperty("unreviewed").GetInt32() + 3);
        middle.GetProperty("breakGlass").GetProperty("oldestUnreviewedDeclaredAt").GetDateTimeOffset().ShouldBe(declared[0]);
        middle.GetProperty("breakGlass").GetProperty("oldestUnreviewedAgeHours").GetDouble().ShouldBeGreaterThanOrEqualTo(0);

        // A review needs an outcome and a note; it records who reviewed and when.
        await (await compliance.Post($"/api/break-glass/{ids[0]}/review", new { outcome = "justified" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
        await (await compliance.Post($"/api/break-glass/{ids[0]}/review", new { outcome = "justified", note = "   " })).Problem(HttpStatusCode.BadRequest, "invalid-request");
        var justified = await (await compliance.Post($"/api/break-glass/{ids[0]}/review", new { outcome = "justified", note = "ED notes confirm the emergency" })).Json();
        justified.GetProperty("outcome").GetString().ShouldBe("justified");
        justified.GetProperty("reviewNote").GetString().ShouldBe("ED notes confirm the emergency");
        justified.GetProperty("reviewedBy").GetString().ShouldNotBeNullOrEmpty();
        justified.GetProperty("reviewedAt").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(declared[0]);
        var notJustified = await (await compliance.Post($"/api/break-glass/{ids[1]}/review", new { outcome = "not-justified", note = "No emergency on record" })).Json();
        notJustified.GetProperty("outcome").GetString().ShouldBe("not-justified");
        (await (await compliance.GetAsync($"/api/break-glass/{ids[1]}")).Json()).GetProperty("reviewNote").GetString().ShouldBe("No emergency on record");

        var after = await (await compliance.GetAsync("/api/compliance/dashboard")).Json();
        var counts = after.GetProperty("breakGlass");
        counts.GetProperty("unreviewed").GetInt32().ShouldBe(middle.GetProperty("breakGlass").GetProperty("unreviewed").GetInt32() - 2);
        counts.GetProperty("reviewedJustified").GetInt32().ShouldBe(before.GetProperty("breakGlass").GetProperty("reviewedJustified").GetInt32() + 1);
        counts.GetProperty("reviewedNotJustified").GetInt32().ShouldBe(before.GetProperty("breakGlass").GetProperty("reviewedNotJustified").GetInt32() + 1);
        after.GetProperty("anomalies").GetProperty("open").GetInt32().ShouldBeGreaterThanOrEqualTo(1, "the police read without any MOU is flagged");
    }

    // ---- A real read through /fhir ----

    [Fact]
    public async Task RealFhirRead_AppearsInTheExports_AndInTheSurvivorsAccounting()
    {
        var advocate = await Api.Parties.Advocate();
        var survivor = (await (await advocate.Post("/api/survivors", new { preferredLanguage = "es", dateOfBirth = "1988-02-02" }))
            .Json(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var shelter = await Api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(survivor, "HH-CMP"));
        var observation = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "blood pressure"));
        await (await advocate.Post($"/api/survivors/{survivor}/consents",
            ConsentsTests.Grant("northside-clinic", ["health"], ["treatment"], method: "witnessed-paper"))).Json(HttpStatusCode.Created);
        var clinic = await Api.Parties.AgencySystem("northside-clinic");
        var head = await Api.LogHeadAsync();
        await (await clinic.ReadAsync($"/fhir/Observation/{observation}")).Fhir();
        var entry = (await Api.LogAsync(head)).ShouldHaveSingleItem();

        var accounting = await (await advocate.GetAsync($"/api/survivors/{survivor}/accounting")).Json();
        var item = accounting.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        item.GetProperty("sequence").GetInt64().ShouldBe(entry.Sequence);
        item.GetProperty("purpose").GetProperty("display").GetString().ShouldBe("Tratamiento");
        item.GetProperty("basis")[0].GetProperty("label").GetString().ShouldBe("Su consentimiento");

        var compliance = await Api.Parties.Compliance();
        var bundle = JsonSerializer.Deserialize<Bundle>(
            await (await compliance.GetAsync($"/api/compliance/exports/audit-events?survivor={survivor}")).Content.ReadAsStringAsync(),
            new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict))!;
        var audit = (AuditEvent)bundle.Entry.ShouldHaveSingleItem().Resource!;
        audit.Entity.Single(e => e.Role?.Code == "4").What!.Reference.ShouldBe($"Observation/{observation}");
        audit.Agent.Single(a => a.Requestor == true).Policy.ShouldContain(p => p!.StartsWith("https://consent.example/basis/consent-grant/", StringComparison.Ordinal));
        var csv = ParseCsv(await (await compliance.GetAsync($"/api/compliance/exports/disclosures.csv?survivor={survivor}")).Content.ReadAsStringAsync());
        csv.Skip(1).ShouldHaveSingleItem()[15].ShouldBe(entry.Hash);
    }

    // ---- Authorization and parameters ----

    [Fact]
    public async Task OnlyComplianceOfficers_UseTheComplianceEndpoints()
    {
        HttpClient[] callers =
        [
            await Api.Parties.Survivor(),
            await Api.Parties.Advocate(),
            await Api.Parties.ShelterAdmin(),
            await Api.Parties.PlatformAdmin(),
            await Api.Parties.AgencySystem("northside-clinic"),
        ];
        foreach (var endpoint in Endpoints)
        {
            foreach (var caller in callers)
            {
                var body = await (await caller.GetAsync(endpoint)).Problem(HttpStatusCode.Forbidden, "forbidden");
                body.ShouldNotContain(host.SurvivorKo);
                await (await caller.GetAsync(endpoint + "?limit=0&nonsense=1")).Problem(HttpStatusCode.Forbidden, "forbidden");
            }

            (await Api.Parties.Anonymous().GetAsync(endpoint)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            var compliance = await Api.Parties.Compliance();
            (await compliance.GetAsync(endpoint)).StatusCode.ShouldBe(HttpStatusCode.OK, endpoint);
        }
    }

    [Theory]
    [InlineData("/api/compliance/exports/disclosures.csv?limit=0", "limit")]
    [InlineData("/api/compliance/exports/disclosures.csv?from=2026-01-01", "from")]
    [InlineData("/api/compliance/exports/disclosures.csv?decision=maybe", "decision")]
    [InlineData("/api/compliance/exports/disclosures.csv?format=xlsx", "format")]
    [InlineData("/api/compliance/exports/audit-events?limit=1001", "limit")]
    [InlineData("/api/compliance/exports/audit-events?basis=contract", "basis")]
    [InlineData("/api/compliance/exports/audit-events?agency=a&agency=b", "agency")]
    [InlineData("/api/compliance/anomalies?from=yesterday", "from")]
    [InlineData("/api/compliance/anomalies?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("/api/compliance/anomalies?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("/api/compliance/anomalies?window=7d", "window")]
    [InlineData("/api/compliance/statistics.csv?to=march", "to")]
    [InlineData("/api/compliance/dashboard?refresh=true", "refresh")]
    public async Task BadOrUnknownParameters_AreRefused_NamingTheField(string url, string field)
    {
        var compliance = await Api.Parties.Compliance();
        var body = await (await compliance.GetAsync(url)).Problem(HttpStatusCode.BadRequest, "invalid-request");
        JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(body);
    }

    /// <summary>A small RFC 4180 reader, independent of the writer under test.</summary>
    internal static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                field.Length.ShouldBe(0, "a quote may only open a field");
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else
            {
                (c is '\r' or '\n').ShouldBeFalse("a bare line break outside quotes");
                field.Append(c);
            }
        }

        quoted.ShouldBeFalse();
        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add([.. row]);
        }

        return rows;
    }
}
