using System.Net;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.WebUtilities;

namespace Consent.Identity.Tests;

/// <summary>Logout, revocation and introspection.</summary>
public sealed class SessionTests : IAsyncLifetime
{
    private readonly IdentityHost host = IdentityHost.With(overrides: new Dictionary<string, string?>
    {
        ["Provider:Api:ClientSecret"] = "api-introspection-secret-for-tests",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Logout_WithIdTokenHint_EndsTheSession_AndReturnsToThePortal()
    {
        var browser = host.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);
        var idToken = (await TokenRequests.RedeemCodeAsync(browser, code, verifier)).Body.GetProperty("id_token").GetString()!;

        var logout = await browser.GetAsync(QueryHelpers.AddQueryString("/connect/logout", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken,
            ["post_logout_redirect_uri"] = "http://localhost:5003/callback/logout/local",
            ["state"] = "s1",
        }));
        BrowserLogin.Location(logout).ShouldStartWith("http://localhost:5003/callback/logout/local");

        // The provider's session is gone: authorizing again asks for the password.
        var again = await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge));
        BrowserLogin.Location(again).ShouldContain("/account/login");
    }

    [Fact]
    public async Task Logout_WithAGarbageHint_DoesNotSignOut_ButAsksForConfirmation()
    {
        var browser = host.CreateBrowser();
        await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), BrowserLogin.Pkce().Challenge);

        var logoutUrl = "/connect/logout?id_token_hint=garbage&post_logout_redirect_uri=" +
            Uri.EscapeDataString("http://localhost:5003/callback/logout/local");
        var logout = await browser.GetAsync(logoutUrl);
        logout.StatusCode.ShouldBe(HttpStatusCode.OK);
        logout.Headers.Location.ShouldBeNull();
        var page = await logout.Content.ReadAsStringAsync();
        page.ShouldContain("__RequestVerificationToken");
        page.ShouldNotContain("   at ");
        await ShouldStillBeSignedIn(browser);

        // The confirmation form needs its antiforgery token; with it, the user is signed out.
        var forged = await browser.PostAsync("/connect/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["post_logout_redirect_uri"] = "http://localhost:5003/callback/logout/local",
        }));
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await ShouldStillBeSignedIn(browser);

        var confirmed = await new BrowserLogin(browser).SubmitFormAsync(logoutUrl, []);
        confirmed.ShouldNotContain("/account/login");
        BrowserLogin.Location(await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge))).ShouldContain("/account/login");
    }

    [Fact]
    public async Task Logout_WithAnotherUsersIdToken_DoesNotSignOut()
    {
        var (verifier, challenge) = BrowserLogin.Pkce();
        var other = host.CreateBrowser();
        var otherCode = await new BrowserLogin(other).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);
        var otherIdToken = (await TokenRequests.RedeemCodeAsync(other, otherCode, verifier)).Body.GetProperty("id_token").GetString()!;

        var browser = host.CreateBrowser();
        await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-advocate"), BrowserLogin.Pkce().Challenge);
        var logout = await browser.GetAsync("/connect/logout?id_token_hint=" + Uri.EscapeDataString(otherIdToken));
        logout.StatusCode.ShouldBe(HttpStatusCode.OK);
        logout.Headers.Location.ShouldBeNull();
        await ShouldStillBeSignedIn(browser);
    }

    [Fact]
    public async Task AfterLogout_ACopyOfTheOldCookie_NoLongerAuthorizes()
    {
        var cookies = new CookieContainerHandler();
        var browser = host.CreateDefaultClient(new Uri(IdentityHost.Issuer), cookies);
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);
        var idToken = (await TokenRequests.RedeemCodeAsync(browser, code, verifier)).Body.GetProperty("id_token").GetString()!;
        var copied = cookies.Container.GetCookieHeader(new Uri(IdentityHost.Issuer));
        copied.ShouldContain("consent.identity=");

        var logout = await browser.GetAsync("/connect/logout?id_token_hint=" + Uri.EscapeDataString(idToken));
        ((int)logout.StatusCode).ShouldBe(302);

        var replay = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge));
        request.Headers.Add("Cookie", copied);
        var answer = await replay.SendAsync(request);
        BrowserLogin.Location(answer).ShouldContain("/account/login");
        BrowserLogin.Location(answer).ShouldNotContain("code=");
    }

    private static async Task ShouldStillBeSignedIn(HttpClient browser)
    {
        var authorize = await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge));
        BrowserLogin.Location(authorize).ShouldStartWith(IdentityHost.PortalRedirectUri);
        BrowserLogin.Location(authorize).ShouldContain("code=");
    }

    [Fact]
    public async Task Logout_ToAnUnregisteredAddress_IsRefused()
    {
        var response = await host.CreateBrowser().GetAsync(
            "/connect/logout?post_logout_redirect_uri=" + Uri.EscapeDataString("https://attacker.example/"));
        response.Headers.Location?.ToString().ShouldNotStartWith("https://attacker.example");
        ((int)response.StatusCode).ShouldBe(400);
    }

    [Fact]
    public async Task RevokedRefreshToken_CannotBeUsed()
    {
        var browser = host.CreateBrowser();
        var refresh = (await TokenRequests.UserTokensAsync(host, "demo-survivor")).GetProperty("refresh_token").GetString()!;

        var revoke = await browser.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = refresh, ["token_type_hint"] = "refresh_token", ["client_id"] = BrowserLogin.PortalClientId,
        }));
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);

        var (status, error, _) = await TokenRequests.ReadAsync(await browser.PostAsync("/connect/token", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["client_id"] = BrowserLogin.PortalClientId })));
        status.ShouldBe(400);
        error.ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task Introspection_ByTheApi_DescribesAnAgencyToken()
    {
        var http = host.CreateClient();
        var token = await TokenRequests.AgencyTokenAsync(http, host.Client("lighthouse-counseling"));

        var response = await http.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = "consent-api", ["client_secret"] = "api-introspection-secret-for-tests",
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("active").GetBoolean().ShouldBeTrue();
        body.GetProperty("agency_id").GetString().ShouldBe("lighthouse-counseling");

        var wrongSecret = await http.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = "consent-api", ["client_secret"] = "guess",
        }));
        (await TokenRequests.ReadAsync(wrongSecret)).Error.ShouldBe("invalid_client");
    }
}
