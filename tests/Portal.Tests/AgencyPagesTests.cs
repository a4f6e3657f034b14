using System.Net;
using System.Security.Cryptography;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Portal.Tests;

/// <summary>
/// The agency pages when the consent API is down (the provider, in-process, is up), and for roles they are not for. The
/// flows themselves run against the real platform in <c>Stack/AgencyAdminBrowserTests</c>.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AgencyPagesTests(Platform platform)
{
    [Fact]
    public async Task ApiDown_PagesSaySo_WithA503_AndADraftPostedKeepsWhatWasTyped()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-shelter-admin");

        foreach (var path in new[] { "/agency/mous", "/agency/mous/new", $"/agency/mous/{Guid.NewGuid():D}" })
        {
            var response = await browser.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, path);
            var page = await Parse(response);
            page.QuerySelector("[data-api-unavailable]").ShouldNotBeNull(path);
            HasQuickExitFirst(page);
        }

        // The systems page talks to the provider, which answers: the shelter's own systems only.
        var systems = await PortalLogin.PageAsync(browser, "/agency/clients");
        var listed = systems.QuerySelectorAll("[data-system]").Select(card => card.GetAttribute("data-system")).ToList();
        listed.ShouldContain(portal.Identity.Client("harbor-house").ClientId);
        listed.ShouldNotContain(portal.Identity.Client("northside-clinic").ClientId);
        var token = systems.QuerySelector("form[data-register-form] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var posted = await browser.PostAsync("/agency/mous/new", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Title"] = "Legal aid referrals",
            ["Parties"] = "bridge-legal",
            ["Direction"] = "mutual",
            ["Purposes"] = "legal-advocacy",
            ["Categories"] = "documents",
            ["EffectiveFrom"] = "2027-01-01",
            ["ExpiresAt"] = "2028-01-01",
        }));
        posted.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var form = await Parse(posted);
        form.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("the draft was not saved");
        (form.QuerySelector("#title") as IHtmlInputElement)!.Value.ShouldBe("Legal aid referrals");
        (form.QuerySelector("#party-bridge-legal") as IHtmlInputElement)!.IsChecked.ShouldBeTrue();
        (form.QuerySelector("#purpose-legal-advocacy") as IHtmlInputElement)!.IsChecked.ShouldBeTrue();
        (form.QuerySelector("#category-documents") as IHtmlInputElement)!.IsChecked.ShouldBeTrue();
        (form.QuerySelector("#expires") as IHtmlInputElement)!.Value.ShouldBe("2028-01-01");

        // A private key pasted by mistake never reaches the provider nor comes back in the page.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var privatePem = key.ExportPkcs8PrivateKeyPem();
        var refused = await browser.PostAsync("/agency/clients?handler=Register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["DisplayName"] = "Mistaken system",
            ["ClientId"] = "harbor-mistake",
            ["Access"] = "read",
            ["PublicKey"] = privatePem,
        }));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var html = await refused.Content.ReadAsStringAsync();
        html.ShouldNotContain(privatePem.Split('\n')[1]);
        (await Parse(refused)).QuerySelector("[data-error-for=publicKey]")!.TextContent.ShouldStartWith("This is a private key.");
        (await PortalLogin.PageAsync(browser, "/agency/clients")).QuerySelector("[data-system='harbor-mistake']").ShouldBeNull();
    }

    [Theory]
    [InlineData("demo-survivor")]
    [InlineData("demo-advocate")]
    public async Task OtherRoles_AreRefusedTheAgencyPages(string userName)
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, userName);
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        foreach (var path in new[] { "/agency/mous", "/agency/mous/new", "/agency/clients" })
        {
            var response = await browser.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, path);
            (await Parse(response)).QuerySelector("form[data-register-form], form[data-draft-form]").ShouldBeNull();
        }

        (await browser.PostAsync("/agency/clients?handler=Register", new FormUrlEncodedContent(new Dictionary<string, string> { ["DisplayName"] = "x" })))
            .StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.BadRequest);
    }

    private static void HasQuickExitFirst(IHtmlDocument page) =>
        page.Body!.QuerySelector("a[href], button, input, select, textarea")!.Id.ShouldBe("quick-exit");

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
}
