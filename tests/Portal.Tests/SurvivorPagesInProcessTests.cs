using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Portal.Tests;

/// <summary>
/// The survivor's pages against stand-ins for the consent API, for what the demo platform cannot show: when the API cannot
/// be reached each page says so (503), the wizard keeps every choice made so far, and a revocation that could not be sent
/// says nothing changed; a minor's open child-protection case is shown as a basis of sharing.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SurvivorPagesInProcessTests(Platform platform)
{
    [Theory]
    [InlineData("/my")]
    [InlineData("/my/share")]
    [InlineData("/my/requests")]
    [InlineData("/my/seen")]
    [InlineData("/my/never")]
    public async Task ApiDown_EachPageSaysSo_With503(string path)
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        var response = await browser.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var page = await Parse(response);
        page.QuerySelector("[data-api-unavailable]").ShouldNotBeNull();
        page.Body!.QuerySelector("a[href], button, input, select, textarea")!.Id.ShouldBe("quick-exit");
    }

    [Fact]
    public async Task ApiDown_DuringTheWizard_EveryChoiceIsKeptInTheForm_ToTryAgain()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");
        var first = await Parse(await browser.GetAsync("/my/share"));

        var response = await browser.PostAsync("/my/share", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Token(first)),
            new("Form.Step", "3"),
            new("Form.Agency", "bridge-legal"),
            new("Form.Categories", "documents"),
            new("Form.Categories", "health"),
            new("Form.Purposes", "legal-advocacy"),
            new("Form.Length", "30"),
            new("go", "4"),
        ]));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var page = await Parse(response);
        page.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("What you chose so far is kept");
        Hidden(page, "Form.Agency").ShouldBe(["bridge-legal"]);
        Hidden(page, "Form.Categories").ShouldBe(["documents", "health"]);
        Hidden(page, "Form.Purposes").ShouldBe(["legal-advocacy"]);
        Hidden(page, "Form.Length").ShouldBe(["30"]);
        Hidden(page, "Form.Step").ShouldBe(["3"]);
        page.QuerySelector("button[data-retry]")!.GetAttribute("value").ShouldBe("3");
    }

    [Fact]
    public async Task ApiDown_WhenRevoking_SaysNothingChanged()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");
        var mine = await Parse(await browser.GetAsync("/my"));

        var response = await browser.PostAsync("/my?handler=Revoke", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Token(mine)),
            new("grantId", Guid.NewGuid().ToString()),
        ]));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await Parse(response)).QuerySelector("[data-revoke-refused] [data-api-unavailable]")!.TextContent.ShouldContain("Nothing was changed");
    }

    [Fact]
    public async Task Revoke_WithoutTheFormToken_IsRefused()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        var response = await browser.PostAsync("/my?handler=Revoke", new FormUrlEncodedContent([new("grantId", Guid.NewGuid().ToString())]));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MySharing_ShowsAnOpenChildProtectionCase_AsABasis_WithItsAgencies_AndNoRevokeButton()
    {
        var api = new SurvivorStandInApi();
        await using var portal = new PortalHost(platform.Identity, () => api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        var page = await PortalLogin.PageAsync(browser, "/my");

        var cases = page.QuerySelectorAll("[data-case]");
        cases.Length.ShouldBe(1, "the closed case is not a basis any more");
        var open = cases[0];
        open.TextContent.ShouldContain("Child-protection case");
        open.TextContent.ShouldContain("Metro Police Department (police)");
        open.TextContent.ShouldContain("Child Protection, Region 4 (child protection)");
        open.TextContent.ShouldContain("Until the case is closed");
        open.TextContent.ShouldContain("gets nothing: on your never-share list");
        open.QuerySelector("form").ShouldBeNull("a statutory basis is not the survivor's to revoke");
        open.TextContent.ShouldNotContain("CASE-", Case.Insensitive);
        api.Paths.ShouldContain("/api/survivors/sv-1001/statutory-bases");
        api.Paths.ShouldNotContain("/api/me", "the survivor's id comes from the session");
    }

    private static string Token(IHtmlDocument page) =>
        page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

    private static List<string> Hidden(IHtmlDocument page, string name) =>
        [.. page.QuerySelectorAll($"form.wizard input[type=hidden][name='{name}']").Select(input => input.GetAttribute("value")!)];

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
}

/// <summary>The survivor endpoints of the consent API as a minor's record would answer them: no grants, one open 51A case, one closed.</summary>
public sealed class SurvivorStandInApi : HttpMessageHandler
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> paths = new();

    public IReadOnlyList<string> Paths => [.. paths];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        paths.Enqueue(path);
        var json = path switch
        {
            "/api/survivors/sv-1001/consents" => "[]",
            "/api/agencies" => """
                [{"id":"metro-police","name":"Metro Police Department","type":"law-enforcement","active":true},
                 {"id":"dcf-region-4","name":"Child Protection, Region 4","type":"child-protection","active":true},
                 {"id":"lighthouse-counseling","name":"Lighthouse Counseling","type":"behavioral-health","active":true}]
                """,
            "/api/categories" => "[]",
            "/api/survivors/sv-1001/statutory-bases" => """
                [{"id":"0192f6a0-0000-7000-8000-00000000000a","kind":"51a","survivorId":"sv-1001","reporterAgencyId":"harbor-house",
                  "reporterRole":"advocate","reportDate":"2026-11-30","caseNumber":"CASE-0042","purpose":"child-protection",
                  "involvedAgencies":[{"agencyId":"metro-police","role":"law-enforcement","overriddenByDenyList":false},
                                      {"agencyId":"dcf-region-4","role":"child-protection","overriddenByDenyList":false},
                                      {"agencyId":"lighthouse-counseling","role":"therapist","overriddenByDenyList":true}],
                  "open":true,"openedAt":"2026-11-30T10:00:00Z"},
                 {"id":"0192f6a0-0000-7000-8000-00000000000b","kind":"51a","survivorId":"sv-1001","reporterAgencyId":"harbor-house",
                  "reporterRole":"advocate","reportDate":"2026-01-10","caseNumber":"CASE-0001","purpose":"child-protection",
                  "involvedAgencies":[],"open":false,"openedAt":"2026-01-10T10:00:00Z","closedAt":"2026-03-01T10:00:00Z"}]
                """,
            _ => null,
        };
        return Task.FromResult(json is null
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });
    }
}
