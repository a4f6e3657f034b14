using System.Globalization;
using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Consent.TestSupport;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The compliance console on the running platform, as demo-compliance: the dashboard, the break-glass review queue and its
/// review form, and the log search's survivor filter. The emergency reads are made here by agency systems through /fhir
/// (<c>X-Break-Glass-Reason</c>), and each page is compared with what the consent API itself answers the officer; a review
/// posted through the portal is read back from the API. The tests of this collection share the platform, so a test counts
/// from what the API held before its own reads rather than from a fixed state.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ComplianceConsoleTests(PlatformStack stack)
{
    private const string Officer = "demo-compliance";
    private const string ClinicReason = "Patient unconscious <b>in ER</b>, no consent on file";
    private const string LegalReason = "Welfare check, survivor missing since Friday";

    [Fact]
    public async Task ComplianceOfficer_SeesTheDashboardCounts_WithTheUnreviewedReadsFirst_AndALinkToTheQueue()
    {
        var officer = await stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);
        var check = await ComplianceTestData.PostAsync(api, "api/log/verify", HttpStatusCode.OK);
        check.GetProperty("holds").GetBoolean().ShouldBeTrue(check.ToString());
        var before = await ComplianceTestData.GetAsync(api, "api/compliance/dashboard");

        // Two emergency reads, the clinic's and the legal aid's: two entries in the log, as many denied as the policy refused.
        var records = await BreakGlassReadsAsync(api, ("northside-clinic", ClinicReason), ("bridge-legal", LegalReason));
        var latest = before.GetProperty("log").GetProperty("latestSequence");
        var entries = (await ComplianceTestData.GetAsync(api, latest.ValueKind == JsonValueKind.Number
            ? $"api/disclosures?after={latest.GetInt64()}&limit=1000"
            : "api/disclosures?limit=1000")).GetProperty("items").EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("recipientAgencyId").GetString()).ShouldBe(["northside-clinic", "bridge-legal"]);
        entries.ShouldAllBe(e => e.GetProperty("breakGlass").GetBoolean());
        var denied = entries.Count(e => e.GetProperty("decision").GetString() == "deny");
        var justBefore = await ComplianceTestData.GetAsync(api, "api/compliance/dashboard");

        // The API answers the dashboard to a compliance officer's token only: the page's figures are its answer to the officer's.
        var page = await officer.PageAsync("/compliance");
        var after = await ComplianceTestData.GetAsync(api, "api/compliance/dashboard");

        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Compliance console");
        var breakGlass = page.QuerySelector("section[data-break-glass]").ShouldNotBeNull();
        page.QuerySelector("main section.card").ShouldBe(breakGlass, "the break-glass reads waiting for review come first");
        var unreviewed = Count(before, "breakGlass", "unreviewed") + 2;
        breakGlass.QuerySelector("[data-unreviewed]")!.TextContent.Trim().ShouldBe(Text(unreviewed));
        Count(after, "breakGlass", "unreviewed").ShouldBe(unreviewed);
        breakGlass.QuerySelector(".headline")!.TextContent.ShouldContain("waiting for review");

        // The oldest waiting is the API's (another test's record, or the clinic's just made); its age grows while we look.
        var oldest = after.GetProperty("breakGlass").GetProperty("oldestUnreviewedDeclaredAt").GetDateTimeOffset();
        oldest.ShouldBeLessThanOrEqualTo(records[0].DeclaredAt);
        breakGlass.QuerySelector("[data-oldest] time")!.GetAttribute("datetime").ShouldBe(Machine(oldest));
        var waited = breakGlass.QuerySelector("[data-oldest]")!.TextContent;
        new[] { justBefore, after }.Select(d => $"The oldest has waited {Hours(d)} hours").ShouldContain(text => waited.Contains(text, StringComparison.Ordinal), waited);
        breakGlass.QuerySelector("a[data-queue-link]")!.GetAttribute("href").ShouldBe("/compliance/break-glass");

        // Nothing was reviewed meanwhile: the outcomes are as they were.
        breakGlass.QuerySelector("[data-justified]")!.TextContent.Trim().ShouldBe(Text(Count(before, "breakGlass", "reviewedJustified")));
        breakGlass.QuerySelector("[data-not-justified]")!.TextContent.Trim().ShouldBe(Text(Count(before, "breakGlass", "reviewedNotJustified")));
        page.QuerySelector("[data-anomalies]")!.TextContent.Trim().ShouldBe(Text(Count(after, "anomalies", "open")));
        page.QuerySelector("[data-entries-24h]")!.TextContent.Trim().ShouldBe(Text(Count(before, "log", "entriesLast24Hours") + 2));
        page.QuerySelector("[data-entries-30d]")!.TextContent.Trim().ShouldBe(Text(Count(before, "log", "entriesLast30Days") + 2));
        page.QuerySelector("[data-denied-24h]")!.TextContent.Trim().ShouldBe(Text(Count(before, "log", "deniedLast24Hours") + denied));
        foreach (var (figure, selector) in new[] { ("entriesLast24Hours", "[data-entries-24h]"), ("entriesLast30Days", "[data-entries-30d]"), ("deniedLast24Hours", "[data-denied-24h]") })
        {
            page.QuerySelector(selector)!.TextContent.Trim().ShouldBe(Text(Count(after, "log", figure)), figure);
        }

        page.QuerySelector("[data-verification]")!.TextContent
            .ShouldContain($"every one of the {check.GetProperty("logSize").GetInt64()} entries intact");
        page.QuerySelector("[data-api-unavailable]").ShouldBeNull();
        HasQuickExitFirst(page);
    }

    [Fact]
    public async Task Home_LinksComplianceOfficersToTheConsole()
    {
        var officer = await stack.SessionAsync(Officer);

        var home = await officer.Portal.GetAsync("/");
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect, "a signed-in person goes straight to their role's start page");
        home.Headers.Location!.ToString().ShouldBe("/compliance");

        var page = await officer.PageAsync("/compliance");
        page.QuerySelector("nav.menu a[href='/compliance/break-glass']").ShouldNotBeNull("the console's pages are in the menu");
    }

    [Fact]
    public async Task SignedOut_IsSentToSignIn_AndBroughtBackToTheConsole()
    {
        using var signedOut = new StackBrowser(stack);

        var response = await signedOut.Portal.GetAsync("/compliance");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldEndWith("/signin?ReturnUrl=%2Fcompliance");
    }

    [Fact]
    public async Task Queue_ListsEachRecord_OldestFirst_WithAReviewForm()
    {
        var officer = await stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);
        var records = await BreakGlassReadsAsync(api, ("northside-clinic", ClinicReason), ("bridge-legal", LegalReason),
            ("northside-clinic", "Overdose in the waiting room, patient cannot answer"));

        // The third is reviewed at once: the queue shows only what waits for review.
        await ReviewThroughApiAsync(api, records[2].Id, "justified", "The clinic's notes confirm the overdose.");
        var page = await officer.PageAsync("/compliance/break-glass");
        var waiting = await ComplianceTestData.GetAsync(api, "api/break-glass?needsReview=true");

        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Break-glass reviews");
        var shown = page.QuerySelectorAll("section[data-record]").Select(r => Guid.Parse(r.GetAttribute("data-record")!)).ToList();
        shown.ShouldBe(waiting.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList(), "the API's review queue, in its order");
        var declared = waiting.EnumerateArray().Select(r => r.GetProperty("declaredAt").GetDateTimeOffset()).ToList();
        declared.ShouldBe(declared.Order().ToList(), "oldest first");
        shown.Where(id => records.Any(r => r.Id == id)).ShouldBe([records[0].Id, records[1].Id]);
        shown.ShouldNotContain(records[2].Id, "a reviewed record has left the queue");

        var first = page.QuerySelector($"section[data-record='{records[0].Id}']")!;
        var values = first.QuerySelectorAll("dd").Select(dd => dd.TextContent.Trim()).ToList();
        values.ShouldBe([Shown(records[0].DeclaredAt), "northside-clinic", DemoClient.AgencySystemIn(stack.DataDirectory, "northside-clinic").ClientId, "emergency",
            ClinicReason, records[0].Id.ToString()]);
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
    }

    [Fact]
    public async Task Review_PostsTheOfficersDecisionToTheApi_AsTheOfficer_ThenRedirectsToTheQueueWithAConfirmation()
    {
        const string Note = "No emergency in the clinic record; raised with the director.";
        var officer = await stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);
        var record = (await BreakGlassReadsAsync(api, ("bridge-legal", LegalReason))).Single();
        var queue = await officer.PageAsync("/compliance/break-glass");

        var response = await officer.Portal.PostAsync("/compliance/break-glass?handler=Review",
            Form(record.Id, "not-justified", Note, TokenOf(queue, record.Id)));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldBe("/compliance/break-glass?reviewed=1");

        // The API holds the review as the officer wrote it, made with the officer's own token.
        var me = await ComplianceTestData.GetAsync(api, "api/me");
        var reviewed = await ComplianceTestData.GetAsync(api, $"api/break-glass/{record.Id}");
        reviewed.GetProperty("needsReview").GetBoolean().ShouldBeFalse();
        reviewed.GetProperty("outcome").GetString().ShouldBe("not-justified");
        reviewed.GetProperty("reviewNote").GetString().ShouldBe(Note);
        reviewed.GetProperty("reviewedBy").GetString().ShouldBe(me.GetProperty("subject").GetString());
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldContain("compliance");
        reviewed.GetProperty("reviewedAt").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(record.DeclaredAt);

        var after = await officer.PageAsync("/compliance/break-glass?reviewed=1");
        after.QuerySelector("[data-review-saved]")!.TextContent.Trim().ShouldBe("Your review was saved.");
        after.QuerySelector($"section[data-record='{record.Id}']").ShouldBeNull("the reviewed record has left the queue");
    }

    [Fact]
    public async Task Review_RefusedByTheApi_ShowsItsProblemBesideTheNote_AndKeepsWhatWasWritten()
    {
        var officer = await stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);
        var records = await BreakGlassReadsAsync(api, ("northside-clinic", ClinicReason), ("bridge-legal", LegalReason));
        var (posted, other) = (records[0].Id, records[1].Id);
        var queue = await officer.PageAsync("/compliance/break-glass");

        // A note of spaces only: the API refuses it (400, the note named), and records nothing.
        var response = await officer.Portal.PostAsync("/compliance/break-glass?handler=Review",
            Form(posted, "justified", "   ", TokenOf(queue, posted)));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ComplianceTestData.GetAsync(api, $"api/break-glass/{posted}")).GetProperty("needsReview").GetBoolean().ShouldBeTrue();
        var page = await Parse(response);
        page.QuerySelector("[data-review-refused]")!.GetAttribute("role").ShouldBe("alert");
        var record = page.QuerySelector($"section[data-record='{posted}']")!;
        var error = record.QuerySelector("[data-error-for=note]").ShouldNotBeNull();
        error.TextContent.Trim().ShouldBe("Write a note of 1 to 2000 characters saying why.");
        var note = record.QuerySelector("textarea[name=Note]")!;
        note.GetAttribute("aria-invalid").ShouldBe("true");
        note.GetAttribute("aria-describedby")!.Split(' ').ShouldContain(error.Id);
        note.ParentElement.ShouldBe(error.ParentElement, "the message sits beside the field");
        record.QuerySelector("input[value=justified]")!.HasAttribute("checked").ShouldBeTrue("the chosen outcome is kept");
        record.QuerySelector("[data-error-for=outcome]").ShouldBeNull();
        page.QuerySelector($"section[data-record='{other}']").ShouldNotBeNull();
        page.QuerySelector($"section[data-record='{other}'] [data-error-for]").ShouldBeNull("only the posted record's form shows the problem");
        HasQuickExitFirst(page);
    }

    [Fact]
    public async Task Review_OfARecordAlreadyReviewed_SaysSo()
    {
        var officer = await stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);
        var record = (await BreakGlassReadsAsync(api, ("northside-clinic", ClinicReason))).Single();
        var queue = await officer.PageAsync("/compliance/break-glass");
        var first = await officer.Portal.PostAsync("/compliance/break-glass?handler=Review",
            Form(record.Id, "justified", "Clinic confirmed the emergency.", TokenOf(queue, record.Id)));
        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // The same page, kept open, posted again: the API answers 409 and keeps the first review.
        var response = await officer.Portal.PostAsync("/compliance/break-glass?handler=Review",
            Form(record.Id, "not-justified", "Second thoughts.", TokenOf(queue, record.Id)));

        response.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Parse(response)).QuerySelector("[data-review-refused]")!.TextContent.ShouldContain("had already been reviewed");
        var kept = await ComplianceTestData.GetAsync(api, $"api/break-glass/{record.Id}");
        kept.GetProperty("outcome").GetString().ShouldBe("justified");
        kept.GetProperty("reviewNote").GetString().ShouldBe("Clinic confirmed the emergency.");
    }

    [Fact]
    public async Task Review_WithoutTheFormToken_IsRefused_AndNothingReachesTheApi()
    {
        var officer = await stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);
        var record = (await BreakGlassReadsAsync(api, ("northside-clinic", ClinicReason))).Single();

        var response = await officer.Portal.PostAsync("/compliance/break-glass?handler=Review", Form(record.Id, "justified", "A note."));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var unchanged = await ComplianceTestData.GetAsync(api, $"api/break-glass/{record.Id}");
        unchanged.GetProperty("needsReview").GetBoolean().ShouldBeTrue("the review never reached the API");
        unchanged.GetProperty("reviewedBy").ValueKind.ShouldBe(JsonValueKind.Null);
        unchanged.GetProperty("reviewNote").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Log_TheSurvivorFilter_TravelsEncrypted_AndAnotherOfficersLinkDoesNotCarryIt()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var from = today + "T00:00:00Z";
        var officer = await stack.SessionAsync(Officer);
        using var api = await ComplianceTestData.ApiAsync(officer);

        // The police ask about two survivors without any basis: both refused, both in the log.
        (await ComplianceTestData.ReadAsync(stack, "metro-police", "LAWENF")).ShouldBe(0);
        (await ComplianceTestData.ReadAsync(stack, "metro-police", "LAWENF", ComplianceTestData.OtherSurvivor)).ShouldBe(0);
        var policeRefusals = await SequencesAsync(api, $"api/disclosures?agency=metro-police&from={from}&decision=deny&limit=25");
        var otherRead = (await ComplianceTestData.GetAsync(api, $"api/disclosures?agency=metro-police&from={from}&decision=deny&limit=1000"))
            .GetProperty("items").EnumerateArray().Last();
        otherRead.GetProperty("survivorId").GetString().ShouldNotBe(ComplianceTestData.Survivor, "the latest refusal is the other survivor's");

        var form = await officer.PageAsync("/compliance/log");
        var posted = await officer.Portal.PostAsync("/compliance/log", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = form.QuerySelector("form[data-log-search] input[name='__RequestVerificationToken']")!.GetAttribute("value")!,
            ["agency"] = "metro-police",
            ["survivor"] = ComplianceTestData.Survivor,
            ["from"] = today,
            ["decision"] = "deny",
        }));

        posted.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var results = posted.Headers.Location!.ToString();
        results.ShouldStartWith("/compliance/log?");
        results.ShouldNotContain(ComplianceTestData.Survivor);
        results.ShouldContain("agency=metro-police");
        var page = await officer.PageAsync(results);
        page.QuerySelector<IHtmlInputElement>("#filter-survivor")!.Value.ShouldBe(ComplianceTestData.Survivor);
        var filtered = await SequencesAsync(api, $"api/disclosures?agency=metro-police&survivor={ComplianceTestData.Survivor}&from={from}&decision=deny&limit=25");
        filtered.ShouldNotBeEmpty();
        Entries(page).ShouldBe(filtered, "the API's answer to the search with the survivor");
        Entries(page).ShouldNotContain(otherRead.GetProperty("sequence").GetInt64(), "the other survivor's refusal is left out");
        page.QuerySelectorAll("li[data-entry] code").Select(c => c.TextContent).ShouldAllBe(survivor => survivor == ComplianceTestData.Survivor);

        // A survivor id typed into the address is not taken; a link made for one officer is meaningless to another.
        var typed = await officer.PageAsync($"/compliance/log?agency=metro-police&from={today}&decision=deny&survivor={ComplianceTestData.OtherSurvivor}");
        Entries(typed).ShouldBe(policeRefusals, "the search without the survivor");
        typed.QuerySelectorAll("li[data-entry] code").Select(c => c.TextContent).ShouldContain(ComplianceTestData.Survivor);
        var tampered = await officer.PageAsync($"/compliance/log?agency=metro-police&from={today}&decision=deny&who=not-a-token");
        tampered.QuerySelector("[data-survivor-filter-lost]").ShouldNotBeNull();
        Entries(tampered).ShouldBe(policeRefusals, "the search without the survivor");
    }

    /// <summary>An emergency read by each agency (the demo survivor's Patient record, with its reason), and the review record each left, oldest first.</summary>
    private async Task<List<(Guid Id, DateTimeOffset DeclaredAt)>> BreakGlassReadsAsync(HttpClient officerApi,
        params (string Agency, string Reason)[] reads)
    {
        var waiting = (await ComplianceTestData.GetAsync(officerApi, "api/break-glass?needsReview=true")).EnumerateArray()
            .Select(r => r.GetProperty("id").GetGuid()).ToHashSet();
        foreach (var (agency, reason) in reads)
        {
            await ComplianceTestData.ReadAsync(stack, agency, ComplianceTestData.EmergencyTreatment, breakGlassReason: reason);
        }

        var made = (await ComplianceTestData.GetAsync(officerApi, "api/break-glass?needsReview=true")).EnumerateArray()
            .Where(r => !waiting.Contains(r.GetProperty("id").GetGuid())).ToList();
        made.Select(r => (r.GetProperty("agencyId").GetString(), r.GetProperty("reason").GetString()))
            .ShouldBe(reads.Select(r => ((string?)r.Agency, (string?)r.Reason)), "one record per emergency read, in order");
        made.ShouldAllBe(r => r.GetProperty("survivorId").GetString() == ComplianceTestData.Survivor);
        return [.. made.Select(r => (r.GetProperty("id").GetGuid(), r.GetProperty("declaredAt").GetDateTimeOffset()))];
    }

    private static async Task ReviewThroughApiAsync(HttpClient officerApi, Guid record, string outcome, string note)
    {
        using var answer = await officerApi.PostAsync($"api/break-glass/{record}/review",
            new StringContent(JsonSerializer.Serialize(new { outcome, note }), System.Text.Encoding.UTF8, "application/json"));
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
    }

    private static async Task<List<long>> SequencesAsync(HttpClient api, string search) =>
        [.. (await ComplianceTestData.GetAsync(api, search)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sequence").GetInt64())];

    private static List<long> Entries(IHtmlDocument page) =>
        [.. page.QuerySelectorAll("li[data-entry]").Select(e => long.Parse(e.GetAttribute("data-entry")!, CultureInfo.InvariantCulture))];

    private static int Count(JsonElement dashboard, string section, string figure) => dashboard.GetProperty(section).GetProperty(figure).GetInt32();

    private static string Text(int count) => count.ToString(CultureInfo.InvariantCulture);

    private static string Hours(JsonElement dashboard) =>
        dashboard.GetProperty("breakGlass").GetProperty("oldestUnreviewedAgeHours").GetDouble().ToString("0.#", CultureInfo.GetCultureInfo("en"));

    private static string Machine(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Shown(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

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
}
