using System.Net;
using AngleSharp.Html.Parser;
using Consent.TestSupport;
using Microsoft.AspNetCore.WebUtilities;

namespace Consent.Portal.Tests;

/// <summary>Sign-in and sign-out through the real provider, and the API card with the user's token.</summary>
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
    public async Task Survivor_SignsIn_AndSeesTheirAccountAsTheApiSeesIt()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-survivor");

        var page = await PortalLogin.PageAsync(browser, "/");

        page.QuerySelector(".signed-in")!.TextContent.Trim().ShouldBe("Signed in as demo-survivor (survivor)");
        var card = page.QuerySelector("section.card")!;
        var values = card.QuerySelectorAll("dd").Select(dd => dd.TextContent.Trim()).ToList();
        values[0].ShouldBe("None");
        values[1].ShouldBe("sv-1001");
        values[2].Split(' ').ShouldContain("consent-api");
        page.QuerySelector("a[data-signin]").ShouldBeNull();
        page.QuerySelector("form.signout button").ShouldNotBeNull();
    }

    [Fact]
    public async Task StaffMember_SignsInWithTotp_AndSeesTheirAgency_InKorean()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-advocate");

        var page = await PortalLogin.PageAsync(browser, "/?culture=ko");

        page.QuerySelector(".signed-in")!.TextContent.Trim().ShouldBe("demo-advocate(으)로 로그인됨 (상담·지원 담당자)");
        page.QuerySelector("section.card dd")!.TextContent.Trim().ShouldBe("harbor-house");
    }

    [Fact]
    public async Task ApiDown_TheHomePageSaysSoKindly_AndShowsNoError()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        var response = await browser.GetAsync("/");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        page.QuerySelector(".signed-in")!.TextContent.ShouldContain("demo-survivor");
        page.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("cannot be reached right now");
        page.QuerySelector("section.card dl").ShouldBeNull();
    }

    [Fact]
    public async Task ExpiredAccessToken_IsRenewedWithTheRefreshToken_AndTheRotatedTokensAreKept()
    {
        var clock = new MovableClock();
        await using var portal = platform.PortalWithClock(clock);
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        // Access tokens live five minutes; each step is past the previous token's expiry. The second renewal
        // only works if the first one stored the rotated refresh token (the provider rejects a reused one).
        foreach (var minutes in new[] { 6, 12 })
        {
            clock.Ahead = TimeSpan.FromMinutes(minutes);
            var response = await browser.GetAsync("/");

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            response.Headers.GetValues("Set-Cookie").ShouldContain(cookie => cookie.StartsWith("portal.session", StringComparison.Ordinal),
                "the session is re-issued with the renewed tokens");
            var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
            page.QuerySelector("[data-api-unavailable]").ShouldBeNull();
            page.QuerySelectorAll("section.card dd").Select(dd => dd.TextContent.Trim()).ShouldContain("sv-1001");
        }
    }

    [Fact]
    public async Task SignOut_EndsThePortalSession_AndTheProvidersSessionWithTheIdTokenHint()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-survivor");
        var home = await browser.GetStringAsync("/");
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
    }

    [Fact]
    public async Task SignOut_WithoutTheFormToken_IsRefused_AndTheSessionStays()
    {
        var browser = await PortalLogin.SignInAsync(platform.Portal, "demo-survivor");

        var response = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await PortalLogin.PageAsync(browser, "/")).QuerySelector(".signed-in").ShouldNotBeNull();
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
}
