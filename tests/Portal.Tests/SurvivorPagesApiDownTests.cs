using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Portal.Tests;

/// <summary>
/// The survivor's pages when the consent API cannot be reached: each says so (503), the wizard keeps every choice made
/// so far, and a revocation that could not be sent says nothing changed.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SurvivorPagesApiDownTests(Platform platform)
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

    private static string Token(IHtmlDocument page) =>
        page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

    private static List<string> Hidden(IHtmlDocument page, string name) =>
        [.. page.QuerySelectorAll($"form.wizard input[type=hidden][name='{name}']").Select(input => input.GetAttribute("value")!)];

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
}
