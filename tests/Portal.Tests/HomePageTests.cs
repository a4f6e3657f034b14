using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Portal.Tests;

/// <summary>The signed-out home page: quick exit, sign-in, accessible layout, three languages.</summary>
[Collection(PlatformCollection.Name)]
public sealed class HomePageTests(Platform platform)
{
    [Fact]
    public async Task Home_SignedOut_HasQuickExitFirstInTabOrder_AndASignInButton()
    {
        var page = await PortalLogin.PageAsync(platform.Portal.CreateBrowser(), "/");

        var focusable = page.Body!.QuerySelectorAll("a[href], button, input, select, textarea").ToList();
        var quickExit = focusable[0].ShouldBeAssignableTo<IHtmlAnchorElement>()!;
        quickExit.Id.ShouldBe("quick-exit");
        quickExit.TextContent.Trim().ShouldBe("Quick exit");
        quickExit.GetAttribute("href").ShouldBe("/exit", "the exit ends the sessions before leaving for the neutral site");
        quickExit.GetAttribute("rel")!.ShouldContain("noreferrer");
        page.QuerySelector("script[src^='/js/quick-exit.js?v=']").ShouldNotBeNull("with JavaScript it also replaces the history entry (the script is found and versioned)");

        var signIn = page.QuerySelector<IHtmlAnchorElement>("a[data-signin]").ShouldNotBeNull();
        signIn.GetAttribute("href").ShouldBe("/signin");
        signIn.TextContent.Trim().ShouldBe("Sign in");
    }

    [Fact]
    public async Task Layout_HasLanguageSkipLinkAndLandmarks()
    {
        var page = await PortalLogin.PageAsync(platform.Portal.CreateBrowser(), "/");

        page.DocumentElement.GetAttribute("lang").ShouldBe("en");
        page.QuerySelector("a.skip")!.GetAttribute("href").ShouldBe("#main");
        page.QuerySelector("main#main").ShouldNotBeNull();
        page.QuerySelector("header").ShouldNotBeNull();
        page.QuerySelector("footer").ShouldNotBeNull();
        page.QuerySelector("nav[aria-label]").ShouldNotBeNull();
        page.QuerySelectorAll("h1").Length.ShouldBe(1);
        page.Title.ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("es", "Salida rápida", "Iniciar sesión", "Le damos la bienvenida")]
    [InlineData("ko", "빠른 나가기", "로그인", "환영합니다")]
    [InlineData("en", "Quick exit", "Sign in", "Welcome")]
    public async Task Home_InEachLanguage_FromTheQueryString(string culture, string quickExit, string signIn, string heading)
    {
        var page = await PortalLogin.PageAsync(platform.Portal.CreateBrowser(), "/?culture=" + culture);

        page.DocumentElement.GetAttribute("lang").ShouldBe(culture);
        page.QuerySelector("#quick-exit")!.TextContent.Trim().ShouldBe(quickExit);
        page.QuerySelector("a[data-signin]")!.TextContent.Trim().ShouldBe(signIn);
        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe(heading);
    }

    [Fact]
    public async Task LanguageChosenOnce_IsRemembered_ForTheBrowserSessionOnly()
    {
        var browser = platform.Portal.CreateBrowser();
        var chosen = await browser.GetAsync("/?culture=es");
        chosen.StatusCode.ShouldBe(HttpStatusCode.OK);
        var cookie = chosen.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("consent.portal.culture=", StringComparison.Ordinal));
        cookie.ShouldNotContain("expires", Case.Insensitive, "a lasting cookie would tell the next person at the device that the portal was used");
        cookie.ShouldNotContain("max-age", Case.Insensitive);

        var page = await PortalLogin.PageAsync(browser, "/");

        page.DocumentElement.GetAttribute("lang").ShouldBe("es");
        page.QuerySelector("a[aria-current='true'][hreflang='es']").ShouldNotBeNull();
    }

    [Fact]
    public async Task Language_FollowsTheBrowser_WhenNotChosen()
    {
        var browser = platform.Portal.CreateBrowser();
        browser.DefaultRequestHeaders.AcceptLanguage.ParseAdd("ko-KR,ko;q=0.9,en;q=0.5");

        var page = await PortalLogin.PageAsync(browser, "/");

        page.DocumentElement.GetAttribute("lang")!.ShouldStartWith("ko");
        page.QuerySelector("#quick-exit")!.TextContent.Trim().ShouldBe("빠른 나가기");
    }

    [Fact]
    public async Task UnsupportedLanguage_FallsBackToEnglish()
    {
        var page = await PortalLogin.PageAsync(platform.Portal.CreateBrowser(), "/?culture=xx-YY");
        page.DocumentElement.GetAttribute("lang").ShouldBe("en");
    }

    [Fact]
    public async Task Pages_AreNeitherCachedNorFramed_AndLeakNoReferrer()
    {
        var response = await platform.Portal.CreateBrowser().GetAsync("/");

        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("/news")]
    public async Task AQuickExitThatIsNotAWebAddress_StopsThePortalFromStarting(string url)
    {
        await using var portal = new PortalHost(platform.Identity, api: null, settings: new Dictionary<string, string?> { ["Safety:QuickExitUrl"] = url });

        Should.Throw<Microsoft.Extensions.Options.OptionsValidationException>(() => portal.Server).Message
            .ShouldContain("Safety:QuickExitUrl must be an absolute http(s) URL.");
    }

    [Fact]
    public async Task QuickExitScript_IsServed()
    {
        var response = await platform.Portal.CreateBrowser().GetAsync("/js/quick-exit.js");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("location.replace");
    }
}
