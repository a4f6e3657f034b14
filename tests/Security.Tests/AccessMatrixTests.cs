using System.Net;
using System.Text;
using System.Text.Json;
using Consent.Api.Tests;

namespace Consent.Security.Tests;

/// <summary>
/// Broken object- and function-level authorization: every /api route of the OpenAPI document, every role, and
/// ids that are the caller's own, another survivor's, another agency's, or nobody's.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class AccessMatrixTests(SecuritySuite suite)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Dictionary<string, string>? foreignRecords;

    public static TheoryData<string> AllRoutes() => new(AccessRules.All.Select(r => r.Key));

    public static TheoryData<string, Role> RoleGated()
    {
        var data = new TheoryData<string, Role>();
        foreach (var rule in AccessRules.All.Where(r => r.Gate is Consent.Security.Tests.Gate.Roles or Consent.Security.Tests.Gate.OwnAgency))
        {
            foreach (var role in AccessRules.Signed)
            {
                data.Add(rule.Key, role);
            }
        }

        return data;
    }

    public static TheoryData<string, Role> SurvivorRoutesForStrangers()
    {
        var data = new TheoryData<string, Role>();
        foreach (var rule in AccessRules.All.Where(r => r.Gate == Consent.Security.Tests.Gate.Survivor))
        {
            foreach (var role in AccessRules.Strangers)
            {
                data.Add(rule.Key, role);
            }
        }

        return data;
    }

    public static TheoryData<string, Role> OwnSurvivorReads()
    {
        var data = new TheoryData<string, Role>();
        foreach (var rule in AccessRules.All)
        {
            foreach (var role in rule.OwnSurvivorReaders)
            {
                data.Add(rule.Key, role);
            }
        }

        return data;
    }

    public static TheoryData<string, string> AgencyRecordsForOutsiders()
    {
        var data = new TheoryData<string, string>();
        foreach (var rule in AccessRules.All.Where(r => r.Gate == Consent.Security.Tests.Gate.AgencyRecord))
        {
            data.Add(rule.Key, "haven-advocate");
            data.Add(rule.Key, "police-system");
        }

        return data;
    }

    [Fact]
    public async Task OpenApi_EveryApiRoute_IsClassifiedInTheExpectationsTable()
    {
        var documented = await DocumentedRoutesAsync();
        var unknown = documented.Except(AccessRules.All.Select(r => r.Key)).Order().ToList();
        unknown.ShouldBeEmpty("Routes the expectations table does not classify: " + string.Join(", ", unknown));
    }

    [Fact]
    public async Task ExpectationsTable_NamesOnlyRoutesTheApiHas()
    {
        var documented = await DocumentedRoutesAsync();
        var stale = AccessRules.All.Select(r => r.Key).Except(documented).Order().ToList();
        stale.ShouldBeEmpty("Table rows the OpenAPI document lacks: " + string.Join(", ", stale));
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task NoToken_Is401WithABearerChallenge(string route)
    {
        var rule = AccessRules.Find(route);
        var response = await suite.Parties.Anonymous().SendAsync(Request(rule, SecuritySuite.DemoSurvivor, "harbor-house"));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        (await response.Content.ReadAsStringAsync()).ShouldNotMention(SecuritySuite.DemoSurvivor, suite.HiddenSurvivor);
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task ConsentDirectoryToken_Is403OnEveryApiRoute(string route)
    {
        // A consent directory reads consents on /fhir for other systems; it never acts for its operating agency here.
        var rule = AccessRules.Find(route);
        var directory = await suite.Parties.ConsentDirectory();
        var response = await directory.SendAsync(Request(rule, SecuritySuite.DemoSurvivor, "harbor-house", await BodyFor(rule, "harbor-house")));

        (await response.ProblemBody(HttpStatusCode.Forbidden)).ShouldNotMention(SecuritySuite.DemoSurvivor, suite.HiddenSurvivor);
    }

    [Theory]
    [MemberData(nameof(RoleGated))]
    public async Task RoleGatedRoute_AnswersEachRoleAsTheTableSays(string route, Role role)
    {
        var rule = AccessRules.Find(route);
        var http = await suite.As(role);
        var agency = rule.Gate == Consent.Security.Tests.Gate.OwnAgency && role == Role.PlatformAdmin ? SecuritySuite.HavenAgency : "harbor-house";
        var response = await http.SendAsync(Request(rule, SecuritySuite.DemoSurvivor, agency, await BodyFor(rule, agency)));

        if (rule.Allowed.Contains(role))
        {
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldNotBe(HttpStatusCode.Unauthorized, text);
            response.StatusCode.ShouldNotBe(HttpStatusCode.Forbidden, text);
            ((int)response.StatusCode).ShouldBeLessThan(500, text);
        }
        else
        {
            // A refused role may also be told the record is not there: it may not know which ids exist.
            var body = rule.Template.Contains("Id}", StringComparison.Ordinal)
                ? await response.ProblemBody(HttpStatusCode.Forbidden, HttpStatusCode.NotFound)
                : await response.ProblemBody(HttpStatusCode.Forbidden);
            body.ShouldNotMention(suite.HiddenSurvivor, suite.HiddenDateOfBirth);
        }
    }

    [Theory]
    [InlineData(Role.Survivor)]
    [InlineData(Role.Advocate)]
    [InlineData(Role.Compliance)]
    [InlineData(Role.AgencyAdmin)]
    [InlineData(Role.AgencySystem)]
    public async Task AnotherAgencysDirectoryEntry_CannotBeEdited(Role role)
    {
        var http = await suite.As(role);
        var rule = AccessRules.Find("PUT /api/agencies/{agencyId}");
        var response = await http.SendAsync(Request(rule, SecuritySuite.DemoSurvivor, "northside-clinic", await BodyFor(rule, "northside-clinic")));
        await response.ProblemBody(HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(SurvivorRoutesForStrangers))]
    public async Task AnotherSurvivorsId_IsAnsweredExactlyAsAMissingOne(string route, Role role)
    {
        var rule = AccessRules.Find(route);
        var http = await suite.As(role);

        var hidden = await http.SendAsync(Request(rule, suite.HiddenSurvivor, "harbor-house"));
        var missing = await http.SendAsync(Request(rule, SecuritySuite.MissingSurvivor, "harbor-house"));

        hidden.StatusCode.ShouldBe(missing.StatusCode);
        var hiddenBody = await hidden.ProblemBody(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        var missingBody = await missing.ProblemBody(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        hiddenBody.ShouldBe(missingBody);
        hiddenBody.ShouldNotMention(suite.HiddenSurvivor, suite.HiddenDateOfBirth);
    }

    [Theory]
    [MemberData(nameof(OwnSurvivorReads))]
    public async Task OwnSurvivor_IsReadable_ByThoseTheTableNames(string route, Role role)
    {
        var rule = AccessRules.Find(route);
        var http = await suite.As(role);
        var response = await http.SendAsync(Request(rule, SecuritySuite.DemoSurvivor, "harbor-house"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(AgencyRecordsForOutsiders))]
    public async Task AnotherAgencysRecord_IsAnsweredExactlyAsAMissingOne(string route, string outsider)
    {
        var rule = AccessRules.Find(route);
        var records = await ForeignRecordsAsync();
        var http = outsider == "haven-advocate" ? await suite.Parties.As(suite.HavenAdvocate) : await suite.Parties.AgencySystem("metro-police", "system/*.cruds");
        var parameter = rule.Template[(rule.Template.LastIndexOf('{') + 1)..rule.Template.LastIndexOf('}')];

        var foreign = await http.SendAsync(Request(rule, SecuritySuite.DemoSurvivor, "harbor-house", ids: new() { [parameter] = records[parameter] }));
        var missing = await http.SendAsync(Request(rule, SecuritySuite.DemoSurvivor, "harbor-house", ids: new() { [parameter] = Guid.NewGuid().ToString() }));

        foreign.StatusCode.ShouldBe(missing.StatusCode, await foreign.Content.ReadAsStringAsync());
        var foreignBody = await foreign.ProblemBody(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        (await missing.ProblemBody(HttpStatusCode.NotFound, HttpStatusCode.Forbidden)).ShouldBe(foreignBody);
        foreignBody.ShouldNotMention(SecuritySuite.DemoSurvivor, records[parameter]);
    }

    /// <summary>Records of harbor-house (with northside-clinic or bridge-legal) that neither outsider has any part in.</summary>
    private async Task<Dictionary<string, string>> ForeignRecordsAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (foreignRecords is not null)
            {
                return foreignRecords;
            }

            var now = suite.Api.Clock.GetUtcNow();
            var (mouUrl, _) = await MousTests.DraftWithDocumentAsync(await suite.Parties.ShelterAdmin(), new
            {
                title = "Suite MOU",
                partyAgencyIds = new[] { "harbor-house", "northside-clinic" },
                purposes = new[] { "treatment" },
                categories = new[] { "health" },
                effectiveFrom = now.AddMinutes(-1),
                expiresAt = now.AddYears(1),
                allowsEmergencyAccess = false,
            });
            var legal = await suite.Parties.AgencySystem("bridge-legal", "system/*.cruds");
            var request = await (await legal.Post("/api/consent-requests", new
            {
                survivorId = SecuritySuite.DemoSurvivor,
                categories = new[] { "contact" },
                purpose = "legal-advocacy",
                reason = "To prepare the protection order hearing",
                requestedDays = 30,
            })).Json(HttpStatusCode.Created);

            return foreignRecords = new()
            {
                ["mouId"] = mouUrl[(mouUrl.LastIndexOf('/') + 1)..],
                ["recordId"] = suite.ShelterBreakGlass,
                ["requestId"] = request.GetProperty("id").GetString()!,
            };
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<HashSet<string>> DocumentedRoutesAsync()
    {
        var document = JsonDocument.Parse(await suite.Parties.Anonymous().GetStringAsync("/openapi/v1.json")).RootElement;
        var routes = new HashSet<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal) || p.Name == "/api"))
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                routes.Add($"{operation.Name.ToUpperInvariant()} {Normalize(path.Name)}");
            }
        }

        return routes;
    }

    private static string Normalize(string template) => template.Length > 1 ? template.TrimEnd('/') : template;

    /// <summary>A body the allowed role's call can be judged on; refused roles must be refused whatever it holds.</summary>
    private async Task<string?> BodyFor(AccessRule rule, string agencyId)
    {
        switch (rule.Key)
        {
            case "PUT /api/agencies/{agencyId}":
                // The entry as it is: an allowed edit changes nothing.
                var current = await (await suite.Parties.PlatformAdmin()).GetAsync("/api/agencies/" + agencyId);
                var entry = JsonDocument.Parse(await current.Content.ReadAsStringAsync()).RootElement;
                return JsonSerializer.Serialize(new
                {
                    name = entry.GetProperty("name").GetString(),
                    type = entry.GetProperty("type").GetString(),
                    languages = entry.TryGetProperty("languages", out var languages) ? languages.Strings().ToArray() : [],
                });
            case "POST /api/break-glass":
                return JsonSerializer.Serialize(new { survivorId = SecuritySuite.DemoSurvivor, reason = "Survivor missing, safety check needed" });
            default:
                return null;
        }
    }

    public static HttpRequestMessage Request(AccessRule rule, string survivorId, string agencyId, string? body = null, Dictionary<string, string>? ids = null)
    {
        var url = new StringBuilder();
        foreach (var segment in rule.Template.Split('/'))
        {
            if (url.Length > 0 || segment.Length > 0)
            {
                url.Append('/');
            }

            url.Append(segment switch
            {
                "{survivorId}" => Uri.EscapeDataString(survivorId),
                "{agencyId}" => agencyId,
                "{sequence}" => "1",
                _ when segment.StartsWith('{') && ids is not null && ids.TryGetValue(segment.Trim('{', '}'), out var id) => id,
                _ when segment.StartsWith('{') => Guid.NewGuid().ToString(),
                _ => segment,
            });
        }

        var request = new HttpRequestMessage(new HttpMethod(rule.Method), url.ToString());
        if (rule.Method is "POST" or "PUT")
        {
            request.Content = new StringContent(body ?? "{}", Encoding.UTF8, "application/json");
        }

        return request;
    }
}
