using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Consent.TestSupport;

namespace Consent.Identity.Tests;

/// <summary>The identity pages in the person's language, the quick exit on each of them, and their safety headers.</summary>
public sealed class IdentityPagesLanguageTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private static readonly string[] RevealingWords =
        ["consent", "survivor", "shelter", "abuse", "violence", "trafficking", "safe", "consentimiento", "refugio", "동의", "쉼터", "피해"];

    [Fact]
    public async Task LoginPage_FollowsUiLocalesOfTheAuthorizationRequest_AndRemembersIt()
    {
        var browser = host.CreateBrowser();
        var loginUrl = await LoginUrlAsync(browser, "es-MX ko");

        var response = await browser.GetAsync(loginUrl);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = Parse(await response.Content.ReadAsStringAsync());
        page.DocumentElement.GetAttribute("lang").ShouldBe("es");
        page.Title.ShouldBe("Iniciar sesión");
        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Iniciar sesión");
        page.QuerySelector("label[for='UserName']")!.TextContent.Trim().ShouldBe("Nombre de usuario");
        page.QuerySelector("label[for='Password']")!.TextContent.Trim().ShouldBe("Contraseña");
        response.Headers.TryGetValues("Set-Cookie", out var cookies).ShouldBeTrue();
        cookies!.ShouldContain(cookie => cookie.StartsWith("consent.identity.culture=", StringComparison.Ordinal));

        // The language links keep the ReturnUrl, and name each language in its own language.
        var korean = page.QuerySelector("nav.languages a[hreflang='ko']")!;
        korean.TextContent.Trim().ShouldBe("한국어");
        korean.GetAttribute("href")!.ShouldContain("ReturnUrl=%2Fconnect%2Fauthorize");
        korean.GetAttribute("href")!.ShouldContain("culture=ko");
    }

    [Fact]
    public async Task LoginPage_QueryCultureWins()
    {
        var browser = host.CreateBrowser();
        var loginUrl = await LoginUrlAsync(browser, "es");

        var page = Parse(await browser.GetStringAsync(loginUrl + "&culture=ko"));
        page.DocumentElement.GetAttribute("lang").ShouldBe("ko");
        page.Title.ShouldBe("로그인");
        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("로그인");
        page.QuerySelector("label[for='UserName']")!.TextContent.Trim().ShouldBe("사용자 이름");
        page.QuerySelector("a[data-quick-exit]")!.TextContent.Trim().ShouldBe("빠른 나가기");
    }

    [Fact]
    public async Task WithoutAChoice_AcceptLanguageThenEnglish()
    {
        var browser = host.CreateBrowser();
        Parse(await browser.GetStringAsync("/account/login")).DocumentElement.GetAttribute("lang").ShouldBe("en");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.AcceptLanguage.ParseAdd("ko-KR");
        var response = await host.CreateBrowser().SendAsync(request);
        Parse(await response.Content.ReadAsStringAsync()).DocumentElement.GetAttribute("lang").ShouldBe("ko");
    }

    [Fact]
    public async Task ReturnUrlWithoutUiLocales_FallsBackToEnglish()
    {
        var response = await host.CreateBrowser().GetAsync("/account/login?ReturnUrl=" + Uri.EscapeDataString("/connect/authorize?client_id=x"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Parse(await response.Content.ReadAsStringAsync()).DocumentElement.GetAttribute("lang").ShouldBe("en");
    }

    [Fact]
    public async Task FailedSignIn_RefusalIsInKorean()
    {
        var browser = host.CreateBrowser();
        var login = new BrowserLogin(browser);
        var (response, html) = await login.PostFormAsync("/account/login?culture=ko",
            new() { ["UserName"] = "nobody-here", ["Password"] = "Wrong-password-1!" });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Parse(html).QuerySelector("#login-error")!.TextContent.Trim()
            .ShouldBe("사용자 이름 또는 비밀번호가 올바르지 않습니다. 시도 횟수가 너무 많으면 계정이 잠시 잠깁니다. 나중에 다시 시도해 주세요.");
    }

    [Fact]
    public async Task CookieCarriesTheLanguage_ToTheCodePageOfStaff()
    {
        var browser = host.CreateBrowser();
        var login = new BrowserLogin(browser);
        var loginUrl = await LoginUrlAsync(browser, "es");

        var next = await login.SubmitLoginAsync(loginUrl, host.User("demo-advocate"));
        next.ShouldContain("/account/mfa");
        next.ShouldNotContain("culture=");

        var page = Parse(await browser.GetStringAsync(next));
        page.DocumentElement.GetAttribute("lang").ShouldBe("es");
        page.Title.ShouldBe("Código de seguridad");
        page.QuerySelector("h1")!.TextContent.Trim().ShouldBe("Escriba su código de seguridad");
        page.QuerySelector("button[type='submit']")!.TextContent.Trim().ShouldBe("Continuar");
    }

    [Theory]
    [InlineData("/account/login", "en")]
    [InlineData("/account/login", "es")]
    [InlineData("/account/login", "ko")]
    [InlineData("/account/signed-out", "en")]
    [InlineData("/account/signed-out", "es")]
    [InlineData("/account/signed-out", "ko")]
    public async Task EveryPage_HasQuickExitFirst_NoInlineScript_NeutralTitle_AndSafetyHeaders(string path, string culture)
    {
        var response = await host.CreateBrowser().GetAsync(path + "?culture=" + culture);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        AssertSafePage(response, Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task MfaAndEnrolmentPages_HaveQuickExitFirst_AndNeutralTitles()
    {
        var browser = host.CreateBrowser();
        var next = await new BrowserLogin(browser).SubmitLoginAsync(await LoginUrlAsync(browser, "en"), host.User("demo-advocate"));
        var mfa = await browser.GetAsync(next);
        mfa.StatusCode.ShouldBe(HttpStatusCode.OK);
        AssertSafePage(mfa, Parse(await mfa.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task QuickExit_EndsTheProviderSession_AndLeavesForTheNeutralSite()
    {
        var browser = host.CreateBrowser();
        var (_, challenge) = BrowserLogin.Pkce();
        await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);

        // Signed in: a new authorization request goes straight back with a code.
        BrowserLogin.Location(await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge)))
            .ShouldStartWith(IdentityHost.PortalRedirectUri);

        var exit = await browser.GetAsync("/account/exit");
        exit.StatusCode.ShouldBe(HttpStatusCode.Found);
        exit.Headers.Location!.ToString().ShouldBe("https://www.weather.gov/");
        exit.Headers.CacheControl!.NoStore.ShouldBeTrue();
        exit.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);

        var again = BrowserLogin.Location(await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge)));
        again.ShouldContain("/account/login");
        again.ShouldNotContain("code=");
    }

    [Fact]
    public async Task QuickExit_GoesToTheConfiguredSite()
    {
        await using var configured = IdentityHost.With(overrides: new Dictionary<string, string?> { ["Safety:QuickExitUrl"] = "https://example.org/news" });
        var exit = await configured.CreateBrowser().GetAsync("/account/exit");
        exit.StatusCode.ShouldBe(HttpStatusCode.Found);
        exit.Headers.Location!.ToString().ShouldBe("https://example.org/news");
    }

    [Fact]
    public async Task QuickExitScript_IsServed_AndHandlesClickEscapeAndBackForwardCache()
    {
        var response = await host.CreateBrowser().GetAsync("/js/quick-exit.js");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var script = await response.Content.ReadAsStringAsync();
        script.ShouldContain("document.body.style.visibility = \"hidden\"");
        script.ShouldContain("location.replace(link.href)");
        script.ShouldContain("\"Escape\"");
        script.ShouldContain("event.persisted");
    }

    private static void AssertSafePage(HttpResponseMessage response, IDocument page)
    {
        var first = page.Body!.Children.First();
        first.LocalName.ShouldBe("a");
        first.HasAttribute("data-quick-exit").ShouldBeTrue();
        first.GetAttribute("href").ShouldBe("/account/exit");

        page.QuerySelectorAll("script").ShouldAllBe(script => script.HasAttribute("src") && script.TextContent.Trim().Length == 0);
        page.QuerySelectorAll("script[src]").Select(script => script.GetAttribute("src")!)
            .ShouldContain(src => src.StartsWith("/js/quick-exit.js?v=", StringComparison.Ordinal), "served and versioned");

        var title = page.Title!.ToLowerInvariant();
        title.ShouldNotBeNullOrWhiteSpace();
        RevealingWords.ShouldAllBe(word => !title.Contains(word));

        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        response.Headers.GetValues("Referrer-Policy").ShouldBe(["no-referrer"]);
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        policy.ShouldContain("script-src 'self'");
        policy.ShouldContain("frame-ancestors 'none'");
        policy.ShouldNotContain("unsafe-inline");
    }

    /// <summary>The login page an authorization request of the portal is sent to, with the given ui_locales.</summary>
    private static async Task<string> LoginUrlAsync(HttpClient browser, string uiLocales)
    {
        var authorize = BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge) + "&ui_locales=" + Uri.EscapeDataString(uiLocales);
        var location = BrowserLogin.Location(await browser.GetAsync(authorize));
        location.ShouldContain("/account/login");
        var uri = new Uri(new Uri("http://localhost/"), location);
        return uri.PathAndQuery;
    }

    private static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);
}
