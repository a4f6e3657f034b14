using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The compliance console's disclosure log pages in Chromium at 360 px on the running platform, as demo-compliance: the
/// log search and an entry, the integrity check and tree head, the weekly charts against the API's own entries, and the
/// CSV export. The log entries are made here, by agency systems reading through /fhir as they do in production: the
/// clinic reads the demo survivor's contact details under her grant and the agencies' MOU (shared), the police ask
/// without any basis (refused).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ComplianceBrowserTests(PlatformStack stack, Browsers browsers)
{
    private const string Officer = "demo-compliance";
    private const string SurvivorSystem = "https://consent.example/fhir/sid/survivor";
    private const string Survivor = "sv-1001";

    [Fact]
    public async Task LogSearch_FindsTheClinicsRead_WithoutTheSurvivorInTheUrl_AndTheEntryShowsItsBasisAndProof()
    {
        var today = Today();
        await ReadAsAgencyAsync("northside-clinic", "COC", expectRecords: true);
        var page = await browsers.SignedInPhoneAsync(stack, Officer);

        await page.GotoAsync(Portal("compliance/log"));
        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-log-search");
        await page.SelectOptionAsync("#filter-agency", "northside-clinic");
        await page.FillAsync("#filter-survivor", Survivor);
        await page.FillAsync("#filter-from", today);
        await page.FillAsync("#filter-to", today);
        await page.SelectOptionAsync("#filter-decision", "permit");
        await page.ClickAsync("form[data-log-search] button[type=submit]");
        await page.WaitForSelectorAsync("[data-results] li[data-entry]");

        page.Url.ShouldNotContain(Survivor, Case.Insensitive, "a survivor id is never put in a URL");
        page.Url.ShouldContain("agency=northside-clinic");
        (await page.InputValueAsync("#filter-survivor")).ShouldBe(Survivor, "the search keeps what was typed");
        (await page.InputValueAsync("#filter-from")).ShouldBe(today);
        var entries = page.Locator("li[data-entry]");
        var count = await entries.CountAsync();
        count.ShouldBeGreaterThan(0);
        for (var i = 0; i < count; i++)
        {
            var entry = entries.Nth(i);
            (await entry.Locator("[data-agency]").GetAttributeAsync("data-agency")).ShouldBe("northside-clinic");
            (await entry.Locator("[data-decision]").GetAttributeAsync("data-decision")).ShouldBe("permit");
            (await entry.InnerTextAsync()).ShouldContain(Survivor);
        }

        (await entries.Last.InnerTextAsync()).ShouldContain("Northside Community Clinic");
        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-log-results");

        // The latest of them is the read just made: sign a tree head over it, then open it.
        var sequence = long.Parse((await entries.Last.GetAttributeAsync("data-entry"))!, CultureInfo.InvariantCulture);
        var back = page.Url;
        await page.GotoAsync(Portal("compliance/integrity"));
        await page.ClickAsync("form[data-sign-form] button");
        await page.WaitForSelectorAsync("[data-head-signed]");
        long.Parse(await page.InnerTextAsync("[data-tree-size]"), CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(sequence);

        await page.GotoAsync(back);
        await entries.Last.Locator("a[data-entry-link]").ClickAsync();
        await page.WaitForSelectorAsync("[data-entry-details]");
        page.Url.ShouldBe(Portal($"compliance/log/{sequence}"));
        var details = await page.InnerTextAsync("main");
        details.ShouldContain($"Entry {sequence}");
        details.ShouldContain("Shared");
        details.ShouldContain("Northside Community Clinic");
        details.ShouldContain("Coordination of care (COC)");
        (await page.InnerTextAsync("[data-field=survivorId]")).ShouldBe(Survivor);
        (await page.InnerTextAsync("[data-field=resourceType]")).ShouldBe("Patient");
        (await page.InnerTextAsync("[data-field=resourceIds]")).ShouldNotBeNullOrWhiteSpace();
        var kinds = await page.Locator("[data-basis-kind]").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.basisKind)");
        kinds.Distinct().ShouldBe(["consent-grant", "mou"], ignoreOrder: true);
        (await page.InnerTextAsync("[data-basis]")).ShouldContain("The survivor's consent");
        (await page.InnerTextAsync("[data-basis]")).ShouldContain("Agreement between the agencies (MOU)");
        (await page.GetAttributeAsync("[data-inclusion]", "data-inclusion")).ShouldBe("Proven", "the entry's proof leads to the signed root");
        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-log-entry");

        // The API's answer for the same entry: the page shows its hash as recorded.
        using var api = await OfficerApiAsync();
        var recorded = await api.GetFromJsonAsync<JsonElement>($"api/log/entries/{sequence}");
        (await page.InnerTextAsync("[data-field=hash]")).ShouldBe(recorded.GetProperty("entry").GetProperty("hash").GetString());
        (await page.InnerTextAsync("[data-field=requestId]")).ShouldBe(recorded.GetProperty("entry").GetProperty("requestId").GetString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Integrity_RunsTheLogCheck_WhichHolds_AndShowsTheLatestSignedTreeHead()
    {
        await ReadAsAgencyAsync("northside-clinic", "COC", expectRecords: true);
        var page = await browsers.SignedInPhoneAsync(stack, Officer);

        await page.GotoAsync(Portal("compliance/integrity"));
        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-integrity");
        await page.ClickAsync("form[data-check-form] button");
        await page.WaitForSelectorAsync("[data-check-result]");

        (await page.GetAttributeAsync("[data-check-result]", "data-check-result")).ShouldBe("holds");
        (await page.InnerTextAsync("[data-log-holds]")).ShouldStartWith("The log holds");
        var checkedEntries = long.Parse(await page.InnerTextAsync("[data-entries-checked]"), CultureInfo.InvariantCulture);
        checkedEntries.ShouldBeGreaterThan(0, "the log has the entries the reads made");
        (await page.Locator("[data-log-fails]").CountAsync()).ShouldBe(0);

        // The head shown is one the API signed (it signs a new one every minute, so it is looked up among all of them).
        using var api = await OfficerApiAsync();
        var size = long.Parse(await page.InnerTextAsync("[data-tree-size]"), CultureInfo.InvariantCulture);
        var root = await page.InnerTextAsync("[data-root-hash]");
        var heads = new List<JsonElement>();
        string? next = "api/log/tree-heads?limit=1000";
        while (next is not null)
        {
            var batch = await api.GetFromJsonAsync<JsonElement>(next.TrimStart('/'));
            heads.AddRange(batch.GetProperty("items").EnumerateArray());
            next = batch.GetProperty("next").ValueKind == JsonValueKind.String ? batch.GetProperty("next").GetString() : null;
        }

        var head = heads.Where(h => h.GetProperty("treeSize").GetInt64() == size && h.GetProperty("rootHash").GetString() == root).ShouldHaveSingleItem();
        (await page.InnerTextAsync("[data-signature]")).ShouldBe(head.GetProperty("signature").GetString());
        (await page.InnerTextAsync("[data-key-id]")).ShouldBe(head.GetProperty("keyId").GetString());
        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(head.GetProperty("timestamp").GetInt64()).UtcDateTime;
        (await page.GetAttributeAsync("[data-tree-time] time", "datetime")).ShouldBe(signedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-integrity-holds");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Charts_DrawEachWeeksCounts_ByDecisionAndByAgency_AsTheApiRecordsThem()
    {
        await ReadAsAgencyAsync("northside-clinic", "COC", expectRecords: true);
        await ReadAsAgencyAsync("metro-police", "LAWENF", expectRecords: false);
        var page = await browsers.SignedInPhoneAsync(stack, Officer);

        await page.GotoAsync(Portal("compliance/charts?weeks=4"));

        var firstWeek = (await page.GetAttributeAsync("[data-period]", "data-first-week"))!;
        var expected = await ApiWeeklyCountsAsync(firstWeek);
        expected.Decision.Values.Sum().ShouldBeGreaterThan(0);
        expected.Decision.Keys.ShouldContain(key => key.Series == "deny", "the police's refused read is counted");
        foreach (var (chart, counts) in new[] { ("decision", expected.Decision), ("agency", expected.Agency) })
        {
            var svg = page.Locator($"[data-chart={chart}] svg[role=img]");
            (await svg.CountAsync()).ShouldBe(1, chart);
            (await svg.GetAttributeAsync("aria-labelledby")).ShouldNotBeNullOrEmpty();
            (await svg.Locator("title").First.InnerHTMLAsync()).ShouldNotBeNullOrWhiteSpace();
            var bars = await svg.Locator("rect[data-count]").EvaluateAllAsync<string[][]>(
                "rects => rects.map(r => [r.dataset.week, r.dataset.series, r.dataset.count])");
            bars.ToDictionary(b => (b[0], b[1]), b => int.Parse(b[2], CultureInfo.InvariantCulture))
                .ShouldBe(counts, ignoreOrder: true, $"the {chart} chart draws what the API recorded");

            // The same numbers in the table, for those who do not see the chart.
            foreach (var ((week, series), value) in counts)
            {
                (await page.InnerTextAsync($"table[data-table={chart}] tr[data-week='{week}'] td[data-series='{series}']"))
                    .Trim().ShouldBe(value.ToString(CultureInfo.InvariantCulture));
            }
        }

        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-charts");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Exports_DownloadTheFilteredLogAsCsv_ThroughThePortal()
    {
        var today = Today();
        await ReadAsAgencyAsync("metro-police", "LAWENF", expectRecords: false);
        var page = await browsers.SignedInPhoneAsync(stack, Officer);

        await page.GotoAsync(Portal("compliance/exports"));
        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-exports");
        await page.CheckAsync("#format-csv");
        await page.SelectOptionAsync("#filter-agency", "metro-police");
        await page.FillAsync("#filter-survivor", Survivor);
        await page.FillAsync("#filter-from", today);
        await page.SelectOptionAsync("#filter-decision", "deny");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("button[data-download]"));

        download.SuggestedFilename.ShouldStartWith("disclosures-");
        download.SuggestedFilename.ShouldEndWith(".csv");
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path)).Where(line => line.Length > 0).ToList();
        lines[0].ShouldStartWith("sequence,recordedAt,recipientAgencyId,clientId,userId,survivorId");
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToList();
        rows.ShouldNotBeEmpty();
        rows.ShouldAllBe(row => row[2] == "metro-police" && row[5] == Survivor && row[9] == "deny");

        using var api = await OfficerApiAsync();
        var from = today + "T00:00:00Z";
        var search = await api.GetFromJsonAsync<JsonElement>(
            $"api/disclosures?agency=metro-police&survivor={Survivor}&from={from}&decision=deny&limit=1000");
        rows.Select(row => row[0]).ShouldBe(search.GetProperty("items").EnumerateArray()
            .Select(item => item.GetProperty("sequence").GetInt64().ToString(CultureInfo.InvariantCulture)));
        page.Url.ShouldNotContain(Survivor);

        // The same entries as FHIR AuditEvents: the form kept the filters, only the format changes.
        await page.CheckAsync("#format-audit-events");
        (await page.InputValueAsync("#filter-survivor")).ShouldBe(Survivor);
        var fhir = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("button[data-download]"));
        fhir.SuggestedFilename.ShouldStartWith("audit-events-");
        var bundle = JsonDocument.Parse(await File.ReadAllTextAsync((await fhir.PathAsync())!)).RootElement;
        bundle.GetProperty("resourceType").GetString().ShouldBe("Bundle");
        var events = bundle.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList();
        events.Count.ShouldBe(rows.Count);
        events.ShouldAllBe(e => e.GetProperty("resourceType").GetString() == "AuditEvent");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Exports_RefusedFilter_IsShownBesideItsField_AndWhatWasTypedIsKept()
    {
        var page = await browsers.SignedInPhoneAsync(stack, Officer);
        await page.GotoAsync(Portal("compliance/exports"));
        await page.FillAsync("#filter-from", "2026-03-10");
        await page.FillAsync("#filter-to", "2026-03-01");
        await page.FillAsync("#filter-survivor", Survivor);
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[data-download]"),
            answer => answer.Request.Method == "POST");

        response.Status.ShouldBe(400);
        await page.WaitForSelectorAsync("[data-export-refused]");
        var error = page.Locator("[data-error-for=to]");
        (await error.CountAsync()).ShouldBe(1, "the API refused the end of the range, and the page says so beside it");
        (await page.GetAttributeAsync("#filter-to", "aria-invalid")).ShouldBe("true");
        (await page.GetAttributeAsync("#filter-to", "aria-describedby"))!.Split(' ').ShouldContain(await error.GetAttributeAsync("id"));
        (await page.InputValueAsync("#filter-survivor")).ShouldBe(Survivor);
        (await page.InputValueAsync("#filter-from")).ShouldBe("2026-03-10");
        await PageChecks.ShouldBeAGoodPageAsync(page, "compliance-exports-refused");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("es", "Búsqueda en el registro de divulgaciones", "Integridad del registro", "Divulgaciones por semana", "Exportaciones")]
    [InlineData("ko", "공개 기록 검색", "기록 무결성", "주별 공개 현황", "내보내기")]
    public async Task ThePages_SpeakTheChosenLanguage(string culture, string log, string integrity, string charts, string exports)
    {
        var session = await stack.SessionAsync(Officer);
        foreach (var (path, heading) in new[] { ("/compliance/log", log), ("/compliance/integrity", integrity), ("/compliance/charts", charts), ("/compliance/exports", exports) })
        {
            var page = await session.PageAsync($"{path}?culture={culture}");
            page.QuerySelector("h1")!.TextContent.Trim().ShouldBe(heading, path);
            page.DocumentElement.GetAttribute("lang").ShouldBe(culture);
        }

        await session.PageAsync("/compliance/log?culture=en");
    }

    private string Portal(string path) => new Uri(stack.PortalUrl, path).AbsoluteUri;

    private static string Today() => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// An agency's system looks up the demo survivor's Patient record by her identifier, as a clinic's EHR would, stating
    /// a purpose: the log records the decision whatever it is.
    /// </summary>
    private async Task ReadAsAgencyAsync(string agencyId, string purpose, bool expectRecords, bool retried = false)
    {
        using var identity = new HttpClient { BaseAddress = stack.IdentityUrl };
        var client = DemoClients().Single(c => c.GetProperty("agencyId").GetString() == agencyId);
        var token = await TokenRequests.ClientCredentialsWithSecret(identity, client.GetProperty("clientId").GetString()!,
            client.GetProperty("clientSecret").GetString()!);
        token.StatusCode.ShouldBe(HttpStatusCode.OK, await token.Content.ReadAsStringAsync());
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();

        using var fhir = new HttpClient { BaseAddress = stack.ApiUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get,
            QueryHelpers.AddQueryString("fhir/Patient", "identifier", $"{SurvivorSystem}|{Survivor}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Add("X-Purpose-Of-Use", purpose);
        using var answer = await fhir.SendAsync(request);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        var bundle = await answer.Content.ReadFromJsonAsync<JsonElement>();
        var returned = bundle.TryGetProperty("entry", out var entries) ? entries.GetArrayLength() : 0;
        if (expectRecords && returned == 0 && !retried)
        {
            // The demo grant is no longer active (another test may have revoked it): the survivor grants the clinic again.
            await GrantClinicContactAsync();
            await ReadAsAgencyAsync(agencyId, purpose, expectRecords, retried: true);
            return;
        }

        (returned > 0).ShouldBe(expectRecords, $"{agencyId} reading for {purpose}");
    }

    /// <summary>The demo survivor grants Northside Clinic her contact details from Harbor House for care coordination.</summary>
    private async Task GrantClinicContactAsync()
    {
        var (token, _) = await SignInForTokenAsync("demo-survivor");
        using var api = new HttpClient { BaseAddress = stack.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var grant = await api.PostAsJsonAsync($"api/survivors/{Survivor}/consents", new
        {
            recipientAgencyId = "northside-clinic",
            sourceAgencyIds = new[] { "harbor-house" },
            categories = new[] { "contact" },
            purposes = new[] { "care-coordination" },
            consentTextId = "general-sharing",
            consentTextVersion = "3",
            language = "en",
        });
        grant.StatusCode.ShouldBe(HttpStatusCode.Created, await grant.Content.ReadAsStringAsync());
    }

    private List<JsonElement> DemoClients() =>
        JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(Path.Combine(stack.DataDirectory, "demo", "clients.json")))!;

    /// <summary>Each week's entries since <paramref name="firstWeek"/>, by decision and by agency, from the API's search.</summary>
    private async Task<(Dictionary<(string Week, string Series), int> Decision, Dictionary<(string Week, string Series), int> Agency)> ApiWeeklyCountsAsync(
        string firstWeek)
    {
        using var api = await OfficerApiAsync();
        var decision = new Dictionary<(string, string), int>();
        var agency = new Dictionary<(string, string), int>();
        string? next = $"/api/disclosures?from={firstWeek}T00:00:00Z&limit=1000";
        while (next is not null)
        {
            var page = await api.GetFromJsonAsync<JsonElement>(next.TrimStart('/'));
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                var day = DateOnly.FromDateTime(item.GetProperty("recordedAt").GetDateTimeOffset().UtcDateTime);
                var week = day.AddDays(-(((int)day.DayOfWeek + 6) % 7)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                var byDecision = (week, item.GetProperty("decision").GetString()!);
                var byAgency = (week, item.GetProperty("recipientAgencyId").GetString()!);
                decision[byDecision] = decision.GetValueOrDefault(byDecision) + 1;
                agency[byAgency] = agency.GetValueOrDefault(byAgency) + 1;
            }

            next = page.GetProperty("next").ValueKind == JsonValueKind.String ? page.GetProperty("next").GetString() : null;
        }

        return (decision, agency);
    }

    private static readonly SemaphoreSlim TokenLock = new(1, 1);
    private static (string Token, DateTimeOffset Until)? officerToken;

    /// <summary>
    /// The consent API as the compliance officer, to compare the pages with: a token from the provider's real sign-in
    /// (password and authenticator code) through the portal's own authorization code flow with PKCE, kept for the run.
    /// </summary>
    private async Task<HttpClient> OfficerApiAsync()
    {
        await TokenLock.WaitAsync();
        try
        {
            if (officerToken is not { } cached || cached.Until < DateTimeOffset.UtcNow.AddSeconds(30))
            {
                officerToken = await SignInForTokenAsync();
            }
        }
        finally
        {
            TokenLock.Release();
        }

        var api = new HttpClient { BaseAddress = stack.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", officerToken.Value.Token);
        return api;
    }

    private async Task<(string, DateTimeOffset)> SignInForTokenAsync(string userName = Officer)
    {
        using var jar = new LocalhostCookieJar { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false } };
        using var provider = new HttpClient(jar) { BaseAddress = stack.IdentityUrl };
        var user = stack.User(userName);
        var redirect = new Uri(stack.PortalUrl, "callback/login/local").AbsoluteUri;
        var (verifier, challenge) = BrowserLogin.Pkce();
        var login = new BrowserLogin(provider);
        var location = BrowserLogin.Location(await provider.GetAsync(BrowserLogin.AuthorizeUrl(challenge, redirect)));
        if (location.Contains("/account/login", StringComparison.Ordinal))
        {
            location = await login.SubmitLoginAsync(location, user);
        }

        for (var hop = 0; hop < 5 && !location.StartsWith(redirect, StringComparison.Ordinal); hop++)
        {
            location = location.Contains("/account/mfa", StringComparison.Ordinal)
                ? await login.SubmitFormAsync(location, new() { ["Code"] = BrowserLogin.Totp(user) })
                : BrowserLogin.Location(await provider.GetAsync(location));
        }

        var code = QueryHelpers.ParseQuery(new Uri(location).Query)["code"].ToString();
        var answer = await provider.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirect,
            ["client_id"] = BrowserLogin.PortalClientId,
            ["code_verifier"] = verifier,
        }));
        var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, body.ToString());
        return (body.GetProperty("access_token").GetString()!, DateTimeOffset.UtcNow.AddSeconds(body.GetProperty("expires_in").GetInt32()));
    }
}
