using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Consent.TestSupport;
using Microsoft.AspNetCore.WebUtilities;

namespace Consent.Portal.Tests;

/// <summary>
/// Sign-in and sign-out through the real provider, and the portal's calls to the real consent API with the signed-in
/// person's token (the API itself says whose token it is, at <c>/api/me</c>).
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SignInTests(Platform platform)
{
    private const string RedirectUri = "http://localhost:5003/callback/login/local";

    [Fact]
    public async Task SignIn_RedirectsToTheProvidersAuthorizationEndpoint_WithPkceS256AndTheExactRedirectUri()
    {
        var response = await platform.Portal.CreateBrowser().GetAsync("/signin");

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = response.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).ShouldBe(IdentityHost.Issuer + "connect/authorize");
        var query = QueryHelpers.ParseQuery(location.Query);
        query["client_id"].ToString().ShouldBe("consent-portal");
        query["redirect_uri"].ToString().ShouldBe(RedirectUri);
        query["response_type"].ToString().ShouldBe("code");
        query["code_challenge_method"].ToString().ShouldBe("S256");
        query["code_challenge"].ToString().Length.ShouldBe(43);
        query["state"].ToString().ShouldNotBeNullOrEmpty();
        query["scope"].ToString().Split(' ').ShouldBe(["openid", "profile", "roles", "offline_access", "consent-api"], ignoreOrder: true);
    }

    [Fact]
    public async Task SignIn_IsAcceptedByTheRealProvider_WhichAsksTheUserToLogIn()
    {
        var location = BrowserLogin.Location(await platform.Portal.CreateBrowser().GetAsync("/signin"));

        var answer = await platform.Identity.CreateBrowser().GetAsync(location);

        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        BrowserLogin.Location(answer).ShouldContain("/account/login");
    }

    [Fact]
    public async Task Survivor_SignsIn_AndLandsOnTheirOwnPages()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-survivor");

        var home = await browser.GetAsync("/");
        home.StatusCode.ShouldBe(HttpStatusCode.Redirect, "a signed-in person goes to their role's start page");
        BrowserLogin.Location(home).ShouldBe("/my");
        var asked = platform.Portal.ApiCalls.Count;
        var page = await PortalLogin.PageAsync(browser, "/my");
        page.QuerySelector("[data-api-unavailable]").ShouldBeNull("the real API answered the survivor's page");

        // Every call the page made carried the survivor's own token, and asked for their own record only.
        var calls = platform.Portal.ApiCalls.Skip(asked).ToList();
        calls.ShouldNotBeEmpty();
        calls.Select(call => call.Token).Distinct().ShouldHaveSingleItem();
        calls.Where(call => call.PathAndQuery.StartsWith("/api/survivors/", StringComparison.Ordinal))
            .ShouldAllBe(call => call.PathAndQuery.StartsWith("/api/survivors/sv-1001/", StringComparison.Ordinal));
        var me = await MeAsync(calls[0].Token!);
        me.GetProperty("survivorId").GetString().ShouldBe("sv-1001");
        me.GetProperty("subject").GetString().ShouldNotBeNullOrEmpty();

        page.QuerySelector(".signed-in")!.TextContent.Trim().ShouldBe("Signed in as demo-survivor", "no role that names the service");
        page.QuerySelector("a[data-signin]").ShouldBeNull();
        page.QuerySelector("form.signout button").ShouldNotBeNull();
        page.QuerySelectorAll("nav.menu a").Select(link => link.GetAttribute("href")).ShouldBe(["/my", "/my/share", "/my/requests", "/my/seen", "/my/never"]);
    }

    [Fact]
    public async Task StaffMember_SignsInWithTotp_AndSeesWhoIsSignedIn_InKorean()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-advocate");

        var home = await browser.GetAsync("/?culture=ko");
        BrowserLogin.Location(home).ShouldBe("/advocate");
        var page = await PortalLogin.PageAsync(browser, "/advocate");

        page.DocumentElement.GetAttribute("lang").ShouldBe("ko");
        page.QuerySelector(".signed-in")!.TextContent.Trim().ShouldBe("demo-advocate(으)로 로그인됨 (상담·지원 담당자)");
        page.QuerySelector("nav.menu a[href='/advocate']")!.TextContent.Trim().ShouldBe("담당하는 사람들");
        page.QuerySelector("nav.menu a[href='/my']").ShouldBeNull("an advocate has no survivor pages");
    }

    [Fact]
    public async Task ApiDown_ThePageSaysSoKindly_AndShowsNoError()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");

        var response = await browser.GetAsync("/compliance");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        var page = await new HtmlParser().ParseDocumentAsync(html);
        page.QuerySelector(".signed-in")!.TextContent.ShouldContain("demo-compliance");
        page.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("cannot be reached right now");
        html.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task ExpiredAccessToken_IsRenewedWithTheRefreshToken_AndTheRotatedTokensAreKept()
    {
        // Only the portal's clock moves: the provider and the consent API keep the real time, so each renewed token is
        // one the real API accepts, not one a moved clock would merely let through.
        var clock = new MovableClock();
        await using var portal = platform.PortalWithClock(clock);
        var browser = await PortalLogin.SignInAsync(portal, "demo-compliance");
        (await PortalLogin.PageAsync(browser, "/compliance")).QuerySelector("[data-api-unavailable]").ShouldBeNull();
        var first = portal.ApiCalls.Last().Token.ShouldNotBeNull();
        var officer = (await MeAsync(first)).GetProperty("subject").GetString().ShouldNotBeNull();
        var tokens = new List<string> { first };

        // Access tokens live five minutes; each step is past the previous token's expiry. The second renewal
        // only works if the first one stored the rotated refresh token (the provider rejects a reused one).
        foreach (var minutes in new[] { 6, 12 })
        {
            clock.Ahead = TimeSpan.FromMinutes(minutes);
            var response = await browser.GetAsync("/compliance");

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues("Set-Cookie").ShouldContain(cookie => cookie.StartsWith("portal.session", StringComparison.Ordinal),
                "the session is re-issued with the renewed tokens");
            var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
            page.QuerySelector("[data-api-unavailable]").ShouldBeNull("the real API answered the dashboard to the renewed token");
            var call = portal.ApiCalls.Last();
            call.PathAndQuery.ShouldBe("/api/compliance/dashboard");
            var token = call.Token.ShouldNotBeNull();
            tokens.ShouldNotContain(token, "a new access token after each expiry");
            var me = await MeAsync(token);
            me.GetProperty("subject").GetString().ShouldBe(officer, "the renewed token is the same officer's");
            me.GetProperty("roles").EnumerateArray().Select(role => role.GetString()).ShouldContain("compliance");
            tokens.Add(token);
        }
    }

    [Fact]
    public async Task SignOut_EndsThePortalSession_AndTheProvidersSessionWithTheIdTokenHint()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-survivor");
        var home = await (await browser.GetAsync("/my")).Content.ReadAsStringAsync();
        var token = new HtmlParser().ParseDocument(home)
            .QuerySelector("form.signout input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var response = await browser.PostAsync("/signout", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var endSession = response.Headers.Location!;
        endSession.GetLeftPart(UriPartial.Path).ShouldBe(IdentityHost.Issuer + "connect/logout");
        var query = QueryHelpers.ParseQuery(endSession.Query);
        query["id_token_hint"].ToString().ShouldNotBeNullOrEmpty();
        query["post_logout_redirect_uri"].ToString().ShouldBe("http://localhost:5003/callback/logout/local");

        // The provider signs out at once (the hint names the session) and sends the browser back.
        var back = BrowserLogin.Location(await platform.Identity.CreateBrowser().GetAsync(endSession));
        back.ShouldStartWith("http://localhost:5003/callback/logout/local");
        var callback = await browser.GetAsync(back);
        BrowserLogin.Location(callback).ShouldBe("/");

        var page = await PortalLogin.PageAsync(browser, "/");
        page.QuerySelector("a[data-signin]").ShouldNotBeNull();
        page.QuerySelector(".signed-in").ShouldBeNull();
        BrowserLogin.Location(await browser.GetAsync("/my")).ShouldContain("/signin", Case.Sensitive, "the survivor's pages need a new sign-in");
    }

    [Fact]
    public async Task QuickExit_EndsThePortalSession_AndLeavesThroughTheProvidersExit()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-survivor");
        (await browser.GetAsync("/?culture=ko")).Headers.GetValues("Set-Cookie")
            .ShouldContain(cookie => cookie.StartsWith("consent.portal.culture=", StringComparison.Ordinal));

        var exit = await browser.GetAsync("/exit");

        exit.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        BrowserLogin.Location(exit).ShouldBe(IdentityHost.Issuer + "account/exit", "the provider ends its own session, then leaves");
        exit.Headers.CacheControl!.NoStore.ShouldBeTrue();
        exit.Headers.GetValues("Set-Cookie").ShouldContain(cookie => cookie.StartsWith("portal.session=;", StringComparison.Ordinal));
        exit.Headers.GetValues("Set-Cookie").ShouldContain(cookie => cookie.StartsWith("consent.portal.culture=;", StringComparison.Ordinal),
            "the language chosen is forgotten too");
        BrowserLogin.Location(await browser.GetAsync("/my")).ShouldContain("/signin", Case.Sensitive, "the session is gone");

        var nobody = await platform.Portal.CreateBrowser().GetAsync("/exit");
        BrowserLogin.Location(nobody).ShouldBe("https://www.weather.gov/", "with no session it leaves at once");
    }

    [Fact]
    public async Task SignOut_WithoutTheFormToken_IsRefused_AndTheSessionStays()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-survivor");

        var response = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var stays = await new HtmlParser().ParseDocumentAsync(await (await browser.GetAsync("/my")).Content.ReadAsStringAsync());
        stays.QuerySelector(".signed-in").ShouldNotBeNull();
    }

    [Fact]
    public async Task Callback_WithAForgedState_OpensNoSession()
    {
        var browser = platform.Portal.CreateBrowser();

        var response = await browser.GetAsync("/callback/login/local?code=forged&state=forged");

        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain("   at ");
        (await PortalLogin.PageAsync(browser, "/")).QuerySelector(".signed-in").ShouldBeNull();
    }

    /// <summary>What the real consent API says about whose token <paramref name="accessToken"/> is.</summary>
    private async Task<JsonElement> MeAsync(string accessToken)
    {
        using var api = platform.Api.WithToken(accessToken);
        using var answer = await api.GetAsync("/api/me");
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
