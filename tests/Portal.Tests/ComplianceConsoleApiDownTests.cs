using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Portal.Tests;

/// <summary>
/// The compliance console when the consent API cannot be reached (no API at all): each page says so kindly, a review or a
/// check posted says it was not saved or not run, and an export keeps what was typed. The console against the real API is
/// tested on the running platform (Stack/ComplianceConsoleTests, Stack/ComplianceDamagedLogTests).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ComplianceConsoleApiDownTests(Platform platform)
{
    private static readonly Guid SomeRecord = Guid.Parse("0192f6a0-0000-7000-8000-000000000001");

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
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        var queue = await PortalLogin.PageAsync(browser, "/compliance/break-glass");

        // With the API down the queue has no record to show, so the review is posted as from a page opened before it went
        // down: the antiforgery token is the session's (the sign-out form carries it), not one form's.
        var response = await browser.PostAsync("/compliance/break-glass?handler=Review",
            Form(SomeRecord, "justified", "Clinic confirmed the emergency.", queue.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")));

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

    private static void HasQuickExitFirst(IHtmlDocument page) =>
        page.Body!.QuerySelector("a[href], button, input, select, textarea")!.Id.ShouldBe("quick-exit");

    private static FormUrlEncodedContent Form(Guid record, string outcome, string note, string? antiforgery) =>
        new(new Dictionary<string, string>
        {
            ["RecordId"] = record.ToString(),
            ["Outcome"] = outcome,
            ["Note"] = note,
            ["__RequestVerificationToken"] = antiforgery.ShouldNotBeNull(),
        });

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
}
