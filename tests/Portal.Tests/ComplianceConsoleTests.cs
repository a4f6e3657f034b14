using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Consent.TestSupport;

namespace Consent.Portal.Tests;

/// <summary>
/// The compliance console: the dashboard, the break-glass review queue and its review form, against a stand-in for the
/// consent API's compliance endpoints that records what the portal sent.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ComplianceConsoleTests(Platform platform)
{
    private static readonly Guid OldestRecord = Guid.Parse("0192f6a0-0000-7000-8000-000000000001");
    private static readonly Guid NewerRecord = Guid.Parse("0192f6a0-0000-7000-8000-000000000002");

    [Fact]
    public async Task ComplianceOfficer_SeesTheDashboardCounts_WithTheUnreviewedReadsFirst_AndALinkToTheQueue()
    {
        var api = new ComplianceStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        var page = await PortalLogin.PageAsync(browser, "/compliance");

        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Compliance console");
        var breakGlass = page.QuerySelector("section[data-break-glass]").ShouldNotBeNull();
        page.QuerySelector("main section.card").ShouldBe(breakGlass, "the break-glass reads waiting for review come first");
        breakGlass.QuerySelector("[data-unreviewed]")!.TextContent.Trim().ShouldBe("3");
        breakGlass.QuerySelector(".headline")!.TextContent.ShouldContain("waiting for review");
        breakGlass.QuerySelector("[data-oldest]")!.TextContent.ShouldContain("The oldest has waited 52.5 hours");
        breakGlass.QuerySelector("[data-oldest] time")!.GetAttribute("datetime").ShouldBe("2031-03-01T08:00:00Z");
        breakGlass.QuerySelector("a[data-queue-link]")!.GetAttribute("href").ShouldBe("/compliance/break-glass");
        breakGlass.QuerySelector("[data-justified]")!.TextContent.Trim().ShouldBe("7");
        breakGlass.QuerySelector("[data-not-justified]")!.TextContent.Trim().ShouldBe("2");
        page.QuerySelector("[data-anomalies]")!.TextContent.Trim().ShouldBe("4");
        page.QuerySelector("[data-entries-24h]")!.TextContent.Trim().ShouldBe("120");
        page.QuerySelector("[data-entries-30d]")!.TextContent.Trim().ShouldBe("3400");
        page.QuerySelector("[data-denied-24h]")!.TextContent.Trim().ShouldBe("11");
        page.QuerySelector("[data-verification]")!.TextContent.ShouldContain("every one of the 3510 entries intact");
        page.QuerySelector("[data-api-unavailable]").ShouldBeNull();
        HasQuickExitFirst(page);

        var call = api.Received.ShouldHaveSingleItem();
        call.Method.ShouldBe("GET");
        call.PathAndQuery.ShouldBe("/api/compliance/dashboard");
        await TokenBelongsToComplianceOfficer(call.BearerToken);
    }

    [Fact]
    public async Task Dashboard_InSpanish_AndAFailedLogCheckIsShownAsAnError()
    {
        var api = new ComplianceStandInApi { Dashboard = ComplianceStandInApi.DashboardJson(logHolds: false) };
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        var page = await PortalLogin.PageAsync(browser, "/compliance?culture=es");

        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Consola de cumplimiento");
        page.QuerySelector("a[data-queue-link]")!.TextContent.Trim().ShouldBe("Revisar la cola");
        page.QuerySelector("[data-verification] .notice.error")!.TextContent.ShouldContain("encontró 2 problemas");
    }

    [Fact]
    public async Task Home_LinksComplianceOfficersToTheConsole()
    {
        var api = new ComplianceStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        var home = await browser.GetAsync("/");
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect, "a signed-in person goes straight to their role's start page");
        home.Headers.Location!.ToString().ShouldBe("/compliance");

        var page = await PortalLogin.PageAsync(browser, "/compliance");
        page.QuerySelector("nav.menu a[href='/compliance/break-glass']").ShouldNotBeNull("the console's pages are in the menu");
    }

    [Theory]
    [InlineData("demo-survivor")]
    [InlineData("demo-advocate")]
    public async Task OtherRoles_AreRefusedBothPages_WithTheForbiddenPage_AndTheApiIsNeverAsked(string userName)
    {
        var api = new ComplianceStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, userName);

        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        var home = await browser.GetAsync("/");
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var start = home.Headers.Location!.ToString();
        start.ShouldNotStartWith("/compliance");
        var startPage = await Parse(await browser.GetAsync(start));
        startPage.QuerySelector("nav.menu a[href^='/compliance']").ShouldBeNull("the menu offers only the person's own pages");
        foreach (var path in new[] { "/compliance", "/compliance/break-glass", "/compliance/log", "/compliance/log/1", "/compliance/integrity",
                     "/compliance/charts", "/compliance/exports" })
        {
            var response = await browser.GetAsync(path);

            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, path);
            var page = await Parse(response);
            page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Not available to you");
            page.QuerySelector("[data-unreviewed]").ShouldBeNull();
            HasQuickExitFirst(page);
        }

        var post = await browser.PostAsync("/compliance/break-glass?handler=Review", Form(OldestRecord, "justified", "A note."));
        post.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        api.Received.ShouldNotContain(call => call.PathAndQuery.Contains("compliance") || call.PathAndQuery.Contains("break-glass") ||
                                              call.PathAndQuery.Contains("disclosures") || call.PathAndQuery.Contains("/api/log"));
    }

    [Fact]
    public async Task SignedOut_IsSentToSignIn_AndBroughtBackToTheConsole()
    {
        var response = await platform.Portal.CreateBrowser().GetAsync("/compliance");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldEndWith("/signin?ReturnUrl=%2Fcompliance");
    }

    [Fact]
    public async Task Queue_ListsEachRecord_OldestFirst_WithAReviewForm()
    {
        var api = new ComplianceStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        var page = await PortalLogin.PageAsync(browser, "/compliance/break-glass");

        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Break-glass reviews");
        var records = page.QuerySelectorAll("section[data-record]").ToList();
        records.Select(r => r.GetAttribute("data-record")).ShouldBe([OldestRecord.ToString(), NewerRecord.ToString()]);
        var first = records[0];
        var values = first.QuerySelectorAll("dd").Select(dd => dd.TextContent.Trim()).ToList();
        values.ShouldBe(["2031-03-01 08:00 UTC", "northside-clinic", "user-42", "emergency",
            "Patient unconscious <b>in ER</b>, no consent on file", OldestRecord.ToString()]);
        first.InnerHtml.ShouldNotContain("<b>", Case.Sensitive, "the declared reason is shown as text");

        var form = first.QuerySelector<IHtmlFormElement>("form")!;
        form.Method.ShouldBe("post");
        form.GetAttribute("action").ShouldBe("/compliance/break-glass?handler=Review");
        form.QuerySelector("input[name='__RequestVerificationToken']").ShouldNotBeNull();
        form.QuerySelectorAll("input[type=radio][name=Outcome]").Select(r => r.GetAttribute("value")).ShouldBe(["justified", "not-justified"]);
        foreach (var radio in form.QuerySelectorAll("input[type=radio]"))
        {
            form.QuerySelector($"label[for='{radio.Id}']").ShouldNotBeNull("every radio has its label");
        }

        var note = form.QuerySelector<IHtmlTextAreaElement>("textarea[name=Note]")!;
        form.QuerySelector($"label[for='{note.Id}']").ShouldNotBeNull();
        note.GetAttribute("maxlength").ShouldBe("2000");
        page.QuerySelectorAll("[id]").Select(e => e.Id).ShouldBeUnique("two forms on one page must not share ids");
        HasQuickExitFirst(page);
        api.Received.ShouldHaveSingleItem().PathAndQuery.ShouldBe("/api/break-glass?needsReview=true");
    }

    [Fact]
    public async Task Review_PostsTheOfficersDecisionToTheApi_AsTheOfficer_ThenRedirectsToTheQueueWithAConfirmation()
    {
        var api = new ComplianceStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        var queue = await PortalLogin.PageAsync(browser, "/compliance/break-glass");

        var response = await browser.PostAsync("/compliance/break-glass?handler=Review",
            Form(NewerRecord, "not-justified", "No emergency in the clinic record; raised with the director.", TokenOf(queue, NewerRecord)));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/compliance/break-glass?reviewed=1");
        var review = api.Received.Single(call => call.Method == "POST");
        review.PathAndQuery.ShouldBe($"/api/break-glass/{NewerRecord}/review");
        review.ContentType.ShouldBe("application/json");
        var body = JsonDocument.Parse(review.Body!).RootElement;
        body.EnumerateObject().Select(p => p.Name).ShouldBe(["outcome", "note"], ignoreOrder: true);
        body.GetProperty("outcome").GetString().ShouldBe("not-justified");
        body.GetProperty("note").GetString().ShouldBe("No emergency in the clinic record; raised with the director.");
        await TokenBelongsToComplianceOfficer(review.BearerToken);

        var after = await PortalLogin.PageAsync(browser, "/compliance/break-glass?reviewed=1");
        after.QuerySelector("[data-review-saved]")!.TextContent.Trim().ShouldBe("Your review was saved.");
    }

    [Fact]
    public async Task Review_RefusedByTheApi_ShowsItsProblemBesideTheNote_AndKeepsWhatWasWritten()
    {
        var api = new ComplianceStandInApi
        {
            ReviewAnswer = () => Problem(400, "invalid-request", """{"note":["Say why, in 1 to 2000 characters."]}"""),
        };
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        var queue = await PortalLogin.PageAsync(browser, "/compliance/break-glass");

        var response = await browser.PostAsync("/compliance/break-glass?handler=Review",
            Form(OldestRecord, "justified", "   ", TokenOf(queue, OldestRecord)));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var page = await Parse(response);
        page.QuerySelector("[data-review-refused]")!.GetAttribute("role").ShouldBe("alert");
        var record = page.QuerySelector($"section[data-record='{OldestRecord}']")!;
        var error = record.QuerySelector("[data-error-for=note]").ShouldNotBeNull();
        error.TextContent.Trim().ShouldBe("Write a note of 1 to 2000 characters saying why.");
        var note = record.QuerySelector("textarea[name=Note]")!;
        note.GetAttribute("aria-invalid").ShouldBe("true");
        note.GetAttribute("aria-describedby")!.Split(' ').ShouldContain(error.Id);
        note.ParentElement.ShouldBe(error.ParentElement, "the message sits beside the field");
        record.QuerySelector("input[value=justified]")!.HasAttribute("checked").ShouldBeTrue("the chosen outcome is kept");
        record.QuerySelector("[data-error-for=outcome]").ShouldBeNull();
        page.QuerySelector($"section[data-record='{NewerRecord}'] [data-error-for]").ShouldBeNull("only the posted record's form shows the problem");
        HasQuickExitFirst(page);
    }

    [Fact]
    public async Task Review_OfARecordAlreadyReviewed_SaysSo()
    {
        var api = new ComplianceStandInApi { ReviewAnswer = () => Problem(409, "break-glass-reviewed", null) };
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        var queue = await PortalLogin.PageAsync(browser, "/compliance/break-glass");

        var response = await browser.PostAsync("/compliance/break-glass?handler=Review",
            Form(OldestRecord, "justified", "Clinic confirmed the emergency.", TokenOf(queue, OldestRecord)));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Parse(response)).QuerySelector("[data-review-refused]")!.TextContent.ShouldContain("had already been reviewed");
    }

    [Fact]
    public async Task Review_WithoutTheFormToken_IsRefused_AndNothingReachesTheApi()
    {
        var api = new ComplianceStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        var response = await browser.PostAsync("/compliance/break-glass?handler=Review", Form(OldestRecord, "justified", "A note."));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        api.Received.ShouldNotContain(call => call.Method == "POST");
    }

    [Fact]
    public async Task ApiDown_BothPagesSaySoKindly()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        foreach (var path in new[] { "/compliance", "/compliance/break-glass" })
        {
            var page = await PortalLogin.PageAsync(browser, path);

            page.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("cannot be reached right now");
            page.QuerySelector("[data-unreviewed]").ShouldBeNull();
            page.QuerySelector("section[data-record]").ShouldBeNull();
            HasQuickExitFirst(page);
        }
    }

    [Fact]
    public async Task ApiDown_WhenAReviewIsPosted_SaysTheReviewWasNotSaved()
    {
        var api = new ComplianceStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        var queue = await PortalLogin.PageAsync(browser, "/compliance/break-glass");
        api.Down = true;

        var response = await browser.PostAsync("/compliance/break-glass?handler=Review",
            Form(OldestRecord, "justified", "Clinic confirmed the emergency.", TokenOf(queue, OldestRecord)));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var page = await Parse(response);
        page.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("your review was not saved");
        HasQuickExitFirst(page);
    }

    [Fact]
    public async Task ApiDown_TheLogPagesSaySo_With503()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        foreach (var path in new[] { "/compliance/log", "/compliance/log/12", "/compliance/charts" })
        {
            var response = await browser.GetAsync(path);

            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, path);
            var page = await Parse(response);
            page.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("cannot be reached right now", Case.Insensitive, path);
            page.QuerySelector("[data-entry]").ShouldBeNull();
            page.QuerySelector("svg").ShouldBeNull();
            HasQuickExitFirst(page);
        }

        var integrity = await PortalLogin.PageAsync(browser, "/compliance/integrity");
        integrity.QuerySelector("[data-tree-head] [data-api-unavailable]").ShouldNotBeNull();
        var check = await browser.PostAsync("/compliance/integrity?handler=Check", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = integrity.QuerySelector("form[data-check-form] input[name='__RequestVerificationToken']")!.GetAttribute("value")!,
        }));
        check.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await Parse(check)).QuerySelector("[data-log-check] [data-api-unavailable]")!.TextContent.ShouldContain("could not be run right now");

        var exports = await PortalLogin.PageAsync(browser, "/compliance/exports");
        var export = await browser.PostAsync("/compliance/exports", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = exports.QuerySelector("form[data-export-form] input[name='__RequestVerificationToken']")!.GetAttribute("value")!,
            ["format"] = "csv",
            ["survivor"] = "sv-1001",
            ["from"] = "2031-03-01",
        }));
        export.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var kept = await Parse(export);
        kept.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("nothing was downloaded");
        kept.QuerySelector<IHtmlInputElement>("#filter-survivor")!.Value.ShouldBe("sv-1001", "what was typed is kept");
        kept.QuerySelector<IHtmlInputElement>("#filter-from")!.Value.ShouldBe("2031-03-01");
    }

    [Fact]
    public async Task Integrity_ALogThatDoesNotHold_NamesTheFirstBadEntry_AndLinksToIt()
    {
        var api = new ComplianceStandInApi
        {
            Extra = request => (request.Method.Method, request.RequestUri!.AbsolutePath) switch
            {
                ("POST", "/api/log/verify") => ComplianceStandInApi.JsonAnswer("""
                    { "holds": false, "startedAt": "2031-03-03T12:00:00+00:00", "elapsedMs": 40, "entriesChecked": 3510, "logSize": 3510,
                      "treeSize": 3510, "headsChecked": 57, "postedHeadsChecked": 0, "trustedKeys": "stored", "failureCount": 2,
                      "failures": [
                        { "kind": "hash-mismatch", "sequence": 1207, "headId": null, "postedHead": null, "message": "Entry 1207's hash does not match its fields.",
                          "expected": "aa11", "found": "bb22" },
                        { "kind": "tree-head-root", "sequence": null, "headId": 31, "postedHead": null, "message": "Head 31's root is not the log's.",
                          "expected": null, "found": null } ] }
                    """),
                ("GET", "/api/log/tree-head") => ComplianceStandInApi.JsonAnswer("""
                    { "treeSize": 3510, "timestamp": 1930305600000, "rootHash": "cafe", "keyId": "key-1", "signature": "MEUCIQ==" }
                    """),
                _ => null,
            },
        };
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        var page = await PortalLogin.PageAsync(browser, "/compliance/integrity");

        var response = await browser.PostAsync("/compliance/integrity?handler=Check", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = page.QuerySelector("form[data-check-form] input[name='__RequestVerificationToken']")!.GetAttribute("value")!,
        }));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the check's result is shown after a redirect, so a refresh does not run it again");
        response.Headers.Location!.ToString().ShouldBe("/compliance/integrity#result");
        var result = await PortalLogin.PageAsync(browser, "/compliance/integrity");
        result.QuerySelector("[data-check-result]")!.GetAttribute("data-check-result").ShouldBe("fails");
        result.QuerySelector("[data-log-fails]")!.TextContent.ShouldContain("does NOT hold: 2 problems");
        var firstBad = result.QuerySelector("[data-first-bad]")!;
        firstBad.GetAttribute("data-first-bad").ShouldBe("1207");
        firstBad.QuerySelector("a")!.GetAttribute("href").ShouldBe("/compliance/log/1207");
        firstBad.TextContent.ShouldContain("An entry was changed after it was recorded");
        result.QuerySelectorAll("[data-failure]").Select(f => f.GetAttribute("data-failure")).ShouldBe(["hash-mismatch", "tree-head-root"]);
        result.QuerySelector("[data-tree-size]")!.TextContent.ShouldBe("3510");
        result.QuerySelector("[data-tree-time] time")!.GetAttribute("datetime").ShouldBe("2031-03-03T12:00:00Z");
        api.Received.Count(call => call.Method == "POST" && call.PathAndQuery == "/api/log/verify").ShouldBe(1);

        var again = await PortalLogin.PageAsync(browser, "/compliance/integrity");
        again.QuerySelector("[data-check-result]").ShouldBeNull("the report is shown once; a reload shows the API's last check");
        api.Received.Count(call => call.Method == "POST").ShouldBe(1, "a reload never runs the check again");
    }

    [Fact]
    public async Task Log_AnEntryWhoseProofDoesNotLeadToTheSignedRoot_IsShownAsFailed()
    {
        const string leafHash = "60b4b6ade09088d6c7dce69ca6b3e0df449746284149f570887649eb877582fb";
        var api = new ComplianceStandInApi
        {
            Extra = request => request.RequestUri!.AbsolutePath switch
            {
                "/api/log/entries/5" => ComplianceStandInApi.JsonAnswer($$"""
                    { "entry": { "sequence": 5, "recordedAt": "2031-03-03T10:00:00+00:00", "recipientAgencyId": "northside-clinic",
                                 "clientId": "northside-clinic-system", "userId": null, "survivorId": "sv-1001", "resourceType": "Patient",
                                 "resourceIds": ["Patient/p1"], "purposeOfUse": "COC", "decision": "permit",
                                 "basis": [ { "kind": "consent-grant", "id": "g-1" }, { "kind": "mou", "id": "m-1" } ],
                                 "policyVersion": "0.1.0", "requestId": "r-1", "breakGlass": false, "previousHash": "00", "hash": "{{leafHash}}" },
                      "leafIndex": 4, "leafInput": "00", "leafHash": "{{leafHash}}" }
                    """),
                "/api/log/tree-head" => ComplianceStandInApi.JsonAnswer("""
                    { "treeSize": 8, "timestamp": 1930305600000, "rootHash": "0000000000000000000000000000000000000000000000000000000000000000", "keyId": "key-1", "signature": "MEUCIQ==" }
                    """),
                "/api/log/proofs/inclusion" => ComplianceStandInApi.JsonAnswer($$"""
                    { "leafIndex": 4, "treeSize": 8, "leafHash": "{{leafHash}}",
                      "auditPath": ["1111111111111111111111111111111111111111111111111111111111111111",
                                    "2222222222222222222222222222222222222222222222222222222222222222",
                                    "3333333333333333333333333333333333333333333333333333333333333333"] }
                    """),
                _ => null,
            },
        };
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        var page = await PortalLogin.PageAsync(browser, "/compliance/log/5");

        page.QuerySelector("[data-inclusion]")!.GetAttribute("data-inclusion").ShouldBe("Failed");
        page.QuerySelector("[data-inclusion] .notice.error")!.TextContent.ShouldContain("does NOT lead to the signed root");
        page.QuerySelectorAll("[data-basis-kind]").Select(b => b.GetAttribute("data-basis-kind")).ShouldBe(["consent-grant", "mou"]);
        api.Received.ShouldContain(call => call.PathAndQuery == "/api/log/proofs/inclusion?leaf=4&treeSize=8");
    }

    [Fact]
    public async Task Log_TheSurvivorFilter_TravelsEncrypted_AndAnotherOfficersLinkDoesNotCarryIt()
    {
        var api = new ComplianceStandInApi
        {
            Extra = request => request.RequestUri!.AbsolutePath == "/api/disclosures"
                ? ComplianceStandInApi.JsonAnswer("""{ "items": [], "next": null }""")
                : null,
        };
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        var form = await PortalLogin.PageAsync(browser, "/compliance/log");

        var posted = await browser.PostAsync("/compliance/log", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = form.QuerySelector("form[data-log-search] input[name='__RequestVerificationToken']")!.GetAttribute("value")!,
            ["agency"] = "metro-police",
            ["survivor"] = "sv-1001",
            ["from"] = "2031-03-01",
            ["decision"] = "deny",
        }));

        posted.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var results = posted.Headers.Location!.ToString();
        results.ShouldStartWith("/compliance/log?");
        results.ShouldNotContain("sv-1001");
        results.ShouldContain("agency=metro-police");
        var page = await PortalLogin.PageAsync(browser, results);
        page.QuerySelector<IHtmlInputElement>("#filter-survivor")!.Value.ShouldBe("sv-1001");
        page.QuerySelector("[data-no-results]").ShouldNotBeNull();
        LastSearch(api).ShouldBe("/api/disclosures?agency=metro-police&survivor=sv-1001&from=2031-03-01T00%3A00%3A00Z&decision=deny&limit=25");

        // A survivor id typed into the address is not taken; a link made for one officer is meaningless to another.
        await PortalLogin.PageAsync(browser, "/compliance/log?survivor=sv-1002");
        LastSearch(api).ShouldBe("/api/disclosures?limit=25");
        var tampered = await PortalLogin.PageAsync(browser, "/compliance/log?who=not-a-token");
        tampered.QuerySelector("[data-survivor-filter-lost]").ShouldNotBeNull();
        LastSearch(api).ShouldBe("/api/disclosures?limit=25");
    }

    private static string LastSearch(ComplianceStandInApi api) =>
        api.Received.Last(call => call.PathAndQuery.StartsWith("/api/disclosures", StringComparison.Ordinal)).PathAndQuery;

    private static void HasQuickExitFirst(IHtmlDocument page) =>
        page.Body!.QuerySelector("a[href], button, input, select, textarea")!.Id.ShouldBe("quick-exit");

    private static string TokenOf(IHtmlDocument page, Guid record) =>
        page.QuerySelector($"section[data-record='{record}'] form input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

    private static FormUrlEncodedContent Form(Guid record, string outcome, string note, string? antiforgery = null)
    {
        var fields = new Dictionary<string, string> { ["RecordId"] = record.ToString(), ["Outcome"] = outcome, ["Note"] = note };
        if (antiforgery is not null)
        {
            fields["__RequestVerificationToken"] = antiforgery;
        }

        return new FormUrlEncodedContent(fields);
    }

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    private static HttpResponseMessage Problem(int status, string type, string? errors) => new((HttpStatusCode)status)
    {
        Content = new StringContent(
            $$"""{"type":"https://consent.example/problems/{{type}}","title":"Refused.","status":{{status}}{{(errors is null ? "" : ",\"errors\":" + errors)}}}""",
            Encoding.UTF8, "application/problem+json"),
    };

    /// <summary>The token the API received is the officer's own: the real provider says whose it is.</summary>
    private async Task TokenBelongsToComplianceOfficer(string? token)
    {
        token.ShouldNotBeNullOrEmpty();
        using var provider = new HttpClient(platform.Identity.Server.CreateHandler()) { BaseAddress = new Uri(IdentityHost.Issuer) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await provider.SendAsync(request);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        var claims = await answer.Content.ReadFromJsonAsync<JsonElement>();
        claims.GetProperty("sub").GetString().ShouldNotBeNullOrEmpty();
        claims.GetProperty("role").ToString().ShouldContain("compliance");
    }
}

/// <summary>
/// Stands in for the consent API's compliance endpoints, answering in the shapes Consent.Api writes
/// (camelCase, enums in kebab-case, RFC 9457 problems), and keeps every request the portal sent.
/// </summary>
public sealed class ComplianceStandInApi : HttpMessageHandler
{
    public sealed record Call(string Method, string PathAndQuery, string? BearerToken, string? ContentType, string? Body);

    private readonly ConcurrentQueue<Call> received = new();

    public IReadOnlyList<Call> Received => [.. received];

    public string Dashboard { get; init; } = DashboardJson(logHolds: true);

    public Func<HttpResponseMessage>? ReviewAnswer { get; init; }

    /// <summary>Answers for the disclosure log's calls a test needs (null: not answered here).</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Extra { get; init; }

    public static HttpResponseMessage JsonAnswer(string json) => Json(json);

    /// <summary>Answers every call as if the API were down (after the page that holds the form was served).</summary>
    public bool Down { get; set; }

    public static string DashboardJson(bool logHolds) => $$"""
        {
          "at": "2031-03-03T12:30:00+00:00",
          "breakGlass": { "unreviewed": 3, "oldestUnreviewedDeclaredAt": "2031-03-01T08:00:00+00:00", "oldestUnreviewedAgeHours": 52.5,
                          "reviewedJustified": 7, "reviewedNotJustified": 2, "queue": "/api/break-glass?needsReview=true" },
          "anomalies": { "open": 4, "windowStart": "2031-02-24T12:30:00+00:00", "windowEnd": "2031-03-03T12:30:00+00:00",
                         "unusualVolume": 1, "purposeOutsideMou": 2, "repeatedDenials": 1 },
          "log": { "latestSequence": 3510, "entriesLast24Hours": 120, "entriesLast30Days": 3400, "deniedLast24Hours": 11 },
          "lastLogVerification": { "at": "2031-03-03T06:00:00+00:00", "holds": {{(logHolds ? "true" : "false")}}, "logSize": 3510,
                                   "failureCount": {{(logHolds ? 0 : 2)}}, "firstFailureKind": null, "firstFailureSequence": null, "elapsedMs": 812 }
        }
        """;

    private const string QueueJson = """
        [
          { "id": "0192f6a0-0000-7000-8000-000000000001", "agencyId": "northside-clinic", "declaredBy": "user-42", "clientId": null,
            "survivorId": "sv-1001", "purpose": "emergency", "reason": "Patient unconscious <b>in ER</b>, no consent on file",
            "declaredAt": "2031-03-01T08:00:00+00:00", "needsReview": true, "reviewedAt": null, "reviewedBy": null, "outcome": null, "reviewNote": null },
          { "id": "0192f6a0-0000-7000-8000-000000000002", "agencyId": "metro-police", "declaredBy": "metro-police-1a2b", "clientId": "metro-police-1a2b",
            "survivorId": "sv-1002", "purpose": "emergency", "reason": "Welfare check, survivor missing since Friday",
            "declaredAt": "2031-03-02T21:15:00+00:00", "needsReview": true, "reviewedAt": null, "reviewedBy": null, "outcome": null, "reviewNote": null }
        ]
        """;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        received.Enqueue(new Call(request.Method.Method, request.RequestUri!.PathAndQuery,
            request.Headers.Authorization is { Scheme: "Bearer" } auth ? auth.Parameter : null,
            request.Content?.Headers.ContentType?.MediaType, body));
        if (Down)
        {
            throw new HttpRequestException("Connection refused");
        }

        var path = request.RequestUri.AbsolutePath;
        if (Extra?.Invoke(request) is { } answer)
        {
            return answer;
        }

        if (request.Method == HttpMethod.Get && path == "/api/compliance/dashboard")
        {
            return Json(Dashboard);
        }

        if (request.Method == HttpMethod.Get && request.RequestUri.PathAndQuery == "/api/break-glass?needsReview=true")
        {
            return Json(QueueJson);
        }

        if (request.Method == HttpMethod.Post && path.StartsWith("/api/break-glass/", StringComparison.Ordinal) && path.EndsWith("/review", StringComparison.Ordinal))
        {
            return ReviewAnswer?.Invoke() ?? Json("""{ "id": "0192f6a0-0000-7000-8000-000000000002", "agencyId": "metro-police", "declaredBy": "metro-police-1a2b", "clientId": "metro-police-1a2b", "survivorId": "sv-1002", "purpose": "emergency", "reason": "Welfare check, survivor missing since Friday", "declaredAt": "2031-03-02T21:15:00+00:00", "needsReview": false, "reviewedAt": "2031-03-03T12:31:00+00:00", "reviewedBy": "compliance-1", "outcome": "not-justified", "reviewNote": "No emergency." }""");
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static HttpResponseMessage Json(string json) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(json, Encoding.UTF8, "application/json"),
    };
}
