using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Portal.Tests;

/// <summary>
/// The case-manager pages when the consent API cannot be reached: each page says so with 503, and a posted form keeps
/// everything that was typed.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AdvocatePagesApiDownTests(Platform platform)
{
    [Fact]
    public async Task ApiDown_PagesSaySo_AndAnEnrolmentKeepsWhatWasTyped()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-advocate");

        // The start page, where everyone lands after signing in, says so kindly (200), as the other start pages do.
        var start = await PortalLogin.PageAsync(browser, "/advocate");
        start.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("cannot be reached right now");
        start.QuerySelector("[data-survivors]").ShouldBeNull();

        foreach (var path in new[] { "/advocate/survivors/sv-1001", "/advocate/survivors/sv-1001/consent", "/advocate/survivors/sv-1001/report" })
        {
            var response = await browser.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, path);
            var page = await Parse(response);
            page.QuerySelector("[data-api-unavailable]").ShouldNotBeNull(path);
            page.QuerySelector("form[data-consent-form], form[data-report-form], [data-survivors]").ShouldBeNull(path);
        }

        var form = await PortalLogin.PageAsync(browser, "/advocate/enroll");
        var token = form.QuerySelector("form[data-enroll-form] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var posted = await browser.PostAsync("/advocate/enroll", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["PreferredLanguage"] = "es",
            ["DateOfBirth"] = "2015-03-02",
        }));

        posted.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var again = await Parse(posted);
        again.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("nothing was saved");
        ((IHtmlSelectElement)again.QuerySelector("#preferredLanguage")!).Value.ShouldBe("es");
        ((IHtmlInputElement)again.QuerySelector("#dateOfBirth")!).Value.ShouldBe("2015-03-02");
    }

    [Fact]
    public async Task EnrolmentForm_WithoutItsAntiforgeryToken_IsRejected()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-advocate");
        await PortalLogin.PageAsync(browser, "/advocate/enroll");

        var posted = await browser.PostAsync("/advocate/enroll", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["PreferredLanguage"] = "en",
        }));

        posted.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
}
