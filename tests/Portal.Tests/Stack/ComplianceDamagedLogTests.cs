using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Data.Sqlite;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// A platform of its own for the compliance console's tests that the shared one must not see: a disclosure log damaged
/// behind the API's back, as someone with the database file and a shell could. Its log is two reads, the clinic's
/// permitted one of the demo survivor's record (entry 1) and the police's refused one (entry 2), and one tree head,
/// signed over both when asked (the API signs none on its own here). Then, with the append-only triggers dropped, entry 2
/// is made to name another agency as its recipient and the head's root is replaced. The API also writes its request log
/// (Information), so that a test can see which of its endpoints the portal asked.
/// </summary>
public sealed class DamagedLogPlatform : IAsyncLifetime
{
    public const long ProvenEntry = 1;
    public const long ChangedEntry = 2;

    /// <summary>
    /// What the log check finds: entry 2's hash is not that of its fields, its tree row holds the hash it had, and the
    /// head's root is neither the log's nor the one its signature was made over.
    /// </summary>
    public static readonly string[] Problems = ["hash-mismatch", "tree-node", "tree-head-root"];

    private const string Officer = "demo-compliance";
    private const string Probe = "/health/live";

    public PlatformStack Stack { get; } = PlatformStack.WithApiSettings(new()
    {
        ["Serilog__MinimumLevel__Default"] = "Information",
        ["DisclosureTree__SigningInterval"] = "1.00:00:00",
    });

    public async Task InitializeAsync()
    {
        await Stack.InitializeAsync();
        (await ComplianceTestData.ReadAsync(Stack, "northside-clinic", "COC")).ShouldBeGreaterThan(0, "the demo grant and MOU let the clinic read");
        (await ComplianceTestData.ReadAsync(Stack, "metro-police", "LAWENF")).ShouldBe(0, "nothing lets the police read");
        using var api = await ComplianceTestData.ApiAsync(await Stack.SessionAsync(Officer));
        var head = await ComplianceTestData.PostAsync(api, "api/log/tree-heads", HttpStatusCode.Created);
        head.GetProperty("treeSize").GetInt64().ShouldBe(ChangedEntry);

        using var database = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Stack.DataDirectory, "consent.db"),
            Pooling = false,
        }.ToString());
        database.Open();
        foreach (var table in new[] { "DisclosureLog", "DisclosureTreeHeads" })
        {
            foreach (var refusal in new[] { "NoUpdate", "NoDelete", "NoReplace" })
            {
                Execute(database, $"DROP TRIGGER \"{table}_{refusal}\"");
            }
        }

        Execute(database, $"UPDATE DisclosureLog SET RecipientAgencyId = 'bridge-legal' WHERE Sequence = {ChangedEntry}").ShouldBe(1);
        Execute(database, "UPDATE DisclosureTreeHeads SET RootHash = randomblob(32)").ShouldBe(1, "one head, the one signed above");
    }

    public Task DisposeAsync() => Stack.DisposeAsync();

    /// <summary>How many requests the API has logged so far: <see cref="RequestsSinceAsync"/> reads those after it.</summary>
    public int RequestMark() => RequestLines().Count;

    /// <summary>
    /// The requests the API logged after <paramref name="mark"/>: method, route template (never the raw path) and status.
    /// A probe sent now is waited for, so that every request answered before it has been written.
    /// </summary>
    public async Task<List<(string Method, string Template, int Status)>> RequestsSinceAsync(int mark)
    {
        using (var probe = new HttpClient { BaseAddress = Stack.ApiUrl })
        using (var answer = await probe.GetAsync(Probe.TrimStart('/')))
        {
            answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lines = RequestLines().Skip(mark).ToList();
            if (lines.Any(line => line.Template == Probe))
            {
                return [.. lines.Where(line => line.Template != Probe)];
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "the API's request log did not show the probe");
            await Task.Delay(100);
        }
    }

    private List<(string Method, string Template, int Status)> RequestLines()
    {
        var lines = new List<(string, string, int)>();
        foreach (var file in Directory.GetFiles(Path.Combine(Stack.DataDirectory, "logs"), "consent-api-*.json").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            // The last line may be still being written: only whole lines are read.
            foreach (var line in text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var document = JsonDocument.Parse(line);
                var entry = document.RootElement;
                if (entry.TryGetProperty("RequestPathTemplate", out var template))
                {
                    lines.Add((entry.GetProperty("RequestMethod").GetString()!, template.GetString()!, entry.GetProperty("StatusCode").GetInt32()));
                }
            }
        }

        return lines;
    }

    private static int Execute(SqliteConnection database, string sql)
    {
        using var command = database.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }
}

/// <summary>
/// The compliance console over a damaged log, on a platform of its own (<see cref="DamagedLogPlatform"/>): the log check
/// that does not hold, on the integrity page and the dashboard, and an entry whose proof does not lead to the signed root.
/// The other roles' refusal is here too, because this platform's API keeps the request log that shows it was never asked.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ComplianceDamagedLogTests(DamagedLogPlatform platform) : IClassFixture<DamagedLogPlatform>
{
    private const string Officer = "demo-compliance";

    [Fact]
    public async Task Dashboard_InSpanish_AndAFailedLogCheckIsShownAsAnError()
    {
        var officer = await platform.Stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);
        var check = await ComplianceTestData.PostAsync(api, "api/log/verify", HttpStatusCode.OK);
        check.GetProperty("holds").GetBoolean().ShouldBeFalse();
        check.GetProperty("failureCount").GetInt64().ShouldBe(DamagedLogPlatform.Problems.Length, check.ToString());

        var page = await officer.PageAsync("/compliance?culture=es");

        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Consola de cumplimiento");
        page.QuerySelector("a[data-queue-link]")!.TextContent.Trim().ShouldBe("Revisar la cola");
        page.QuerySelector("[data-verification] .notice.error")!.TextContent.ShouldContain($"encontró {DamagedLogPlatform.Problems.Length} problemas");
        await officer.PageAsync("/compliance?culture=en");
    }

    [Fact]
    public async Task Integrity_ALogThatDoesNotHold_NamesTheFirstBadEntry_AndLinksToIt()
    {
        var officer = await platform.Stack.SessionAsync(Officer);
        var page = await officer.PageAsync("/compliance/integrity");
        var mark = platform.RequestMark();

        var response = await officer.Portal.PostAsync("/compliance/integrity?handler=Check", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = page.QuerySelector("form[data-check-form] input[name='__RequestVerificationToken']")!.GetAttribute("value")!,
        }));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the check's result is shown after a redirect, so a refresh does not run it again");
        response.Headers.Location!.ToString().ShouldBe("/compliance/integrity#result");
        var result = await officer.PageAsync("/compliance/integrity");
        result.QuerySelector("[data-check-result]")!.GetAttribute("data-check-result").ShouldBe("fails");
        result.QuerySelector("[data-log-fails]")!.TextContent.ShouldContain($"does NOT hold: {DamagedLogPlatform.Problems.Length} problems");
        var firstBad = result.QuerySelector("[data-first-bad]")!;
        firstBad.GetAttribute("data-first-bad").ShouldBe($"{DamagedLogPlatform.ChangedEntry}");
        firstBad.QuerySelector("a")!.GetAttribute("href").ShouldBe($"/compliance/log/{DamagedLogPlatform.ChangedEntry}");
        firstBad.TextContent.ShouldContain("An entry was changed after it was recorded");
        result.QuerySelectorAll("[data-failure]").Select(f => f.GetAttribute("data-failure")).ShouldBe(DamagedLogPlatform.Problems);

        // The tree head shown is the API's latest (the damaged one).
        using var api = await ComplianceTestData.ApiAsync(officer);
        var head = await ComplianceTestData.GetAsync(api, "api/log/tree-head");
        result.QuerySelector("[data-tree-size]")!.TextContent.ShouldBe(head.GetProperty("treeSize").GetInt64().ToString(CultureInfo.InvariantCulture));
        result.QuerySelector("[data-tree-time] time")!.GetAttribute("datetime").ShouldBe(
            DateTimeOffset.FromUnixTimeMilliseconds(head.GetProperty("timestamp").GetInt64()).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

        var again = await officer.PageAsync("/compliance/integrity");
        again.QuerySelector("[data-check-result]").ShouldBeNull("the report is shown once; a reload shows the API's last check");
        (await platform.RequestsSinceAsync(mark)).Count(r => r.Method == "POST" && r.Template == "/api/log/verify")
            .ShouldBe(1, "the API ran the check once: a reload never runs it again");
    }

    [Fact]
    public async Task Log_AnEntryWhoseProofDoesNotLeadToTheSignedRoot_IsShownAsFailed()
    {
        var officer = await platform.Stack.SessionAsync(Officer);
        var mark = platform.RequestMark();

        var page = await officer.PageAsync($"/compliance/log/{DamagedLogPlatform.ProvenEntry}");

        page.QuerySelector("[data-inclusion]")!.GetAttribute("data-inclusion").ShouldBe("Failed");
        page.QuerySelector("[data-inclusion] .notice.error")!.TextContent.ShouldContain("does NOT lead to the signed root");
        (await platform.RequestsSinceAsync(mark)).ShouldContain(r => r.Method == "GET" && r.Template == "/api/log/proofs/inclusion" && r.Status == 200,
            "the portal asked the API for the entry's proof, and checked it itself");
        using var api = await ComplianceTestData.ApiAsync(officer);
        var recorded = await ComplianceTestData.GetAsync(api, $"api/log/entries/{DamagedLogPlatform.ProvenEntry}");
        var kinds = page.QuerySelectorAll("[data-basis-kind]").Select(b => b.GetAttribute("data-basis-kind")).ToList();
        kinds.ShouldBe(recorded.GetProperty("entry").GetProperty("basis").EnumerateArray().Select(b => b.GetProperty("kind").GetString()).ToList());
        kinds.Distinct().ShouldBe(["consent-grant", "mou"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("demo-survivor")]
    [InlineData("demo-advocate")]
    public async Task OtherRoles_AreRefusedBothPages_WithTheForbiddenPage_AndTheApiIsNeverAsked(string userName)
    {
        var browser = await platform.Stack.SessionAsync(userName);
        var mark = platform.RequestMark();

        var home = await HtmlAsync(browser, "/");
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var start = home.Headers.Location!.ToString();
        start.ShouldNotStartWith("/compliance");
        var startPage = await Parse(await HtmlAsync(browser, start));
        startPage.QuerySelector("nav.menu a[href^='/compliance']").ShouldBeNull("the menu offers only the person's own pages");
        foreach (var path in new[] { "/compliance", "/compliance/break-glass", "/compliance/log", "/compliance/log/1", "/compliance/integrity",
                     "/compliance/charts", "/compliance/exports" })
        {
            var response = await HtmlAsync(browser, path);

            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, path);
            var page = await Parse(response);
            page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Not available to you");
            page.QuerySelector("[data-unreviewed]").ShouldBeNull();
            HasQuickExitFirst(page);
        }

        var post = await browser.Portal.PostAsync("/compliance/break-glass?handler=Review", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["RecordId"] = Guid.CreateVersion7().ToString(),
            ["Outcome"] = "justified",
            ["Note"] = "A note.",
        }));
        post.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var asked = await platform.RequestsSinceAsync(mark);
        asked.ShouldNotBeEmpty("the start page's own calls are in the API's request log");
        asked.ShouldNotContain(r => r.Template.Contains("compliance", StringComparison.Ordinal) || r.Template.Contains("break-glass", StringComparison.Ordinal) ||
                                    r.Template.Contains("disclosures", StringComparison.Ordinal) || r.Template.StartsWith("/api/log", StringComparison.Ordinal),
            string.Join(", ", asked.Select(r => r.Template)));
    }

    /// <summary>A GET as a browser sends it, asking for a page (the shared session's client is left as it is).</summary>
    private static async Task<HttpResponseMessage> HtmlAsync(StackBrowser browser, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return await browser.Portal.SendAsync(request);
    }

    private static void HasQuickExitFirst(IHtmlDocument page) =>
        page.Body!.QuerySelector("a[href], button, input, select, textarea")!.Id.ShouldBe("quick-exit");

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
}
