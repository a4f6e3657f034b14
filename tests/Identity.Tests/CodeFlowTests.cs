using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Identity.Tests;

/// <summary>The portal's authorization code flow with PKCE, driven through the real login form.</summary>
public sealed class CodeFlowTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task Survivor_SignsInThroughTheForm_AndGetsTokensForTheApi()
    {
        var browser = host.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);

        var (status, error, body) = await RedeemAsync(browser, code, verifier);

        status.ShouldBe(200, body.ToString());
        error.ShouldBeNull();
        var access = new JsonWebToken(body.GetProperty("access_token").GetString());
        access.Audiences.ShouldContain("consent-api");
        access.GetClaim("survivor_id").Value.ShouldBe("sv-1001");
        access.GetClaim("role").Value.ShouldBe("survivor");
        access.TryGetClaim("agency_id", out _).ShouldBeFalse();
        (access.ValidTo - access.IssuedAt).ShouldBeLessThanOrEqualTo(TimeSpan.FromMinutes(5));
        body.GetProperty("id_token").GetString().ShouldNotBeNullOrEmpty();
        body.GetProperty("refresh_token").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Staff_MustPassTheirAuthenticatorCode_AndTheTokenSaysSo()
    {
        var browser = host.CreateBrowser();
        var login = new BrowserLogin(browser);
        var advocate = host.User("demo-advocate");

        // The password alone leads to the code page, not to a code.
        var afterPassword = await login.SubmitLoginAsync(BrowserLogin.Location(await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge))), advocate);
        afterPassword.ShouldStartWith("/account/mfa");

        var (wrong, html) = await login.PostFormAsync(afterPassword, new() { ["Code"] = "000000" == BrowserLogin.Totp(advocate) ? "111111" : "000000" });
        wrong.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("That code is not right");

        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(host.CreateBrowser()).SignInAndAuthorizeAsync(advocate, challenge);
        var (status, _, body) = await RedeemAsync(host.CreateBrowser(), code, verifier);
        status.ShouldBe(200);
        var access = new JsonWebToken(body.GetProperty("access_token").GetString());
        access.GetClaim("agency_id").Value.ShouldBe("harbor-house");
        access.GetClaim("role").Value.ShouldBe("advocate");
        access.GetClaim("amr").Value.ShouldBe("mfa");
    }

    [Fact]
    public async Task AuthorizationCode_CannotBeRedeemedTwice()
    {
        var browser = host.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);
        (await RedeemAsync(browser, code, verifier)).Status.ShouldBe(200);

        var (status, error, body) = await RedeemAsync(browser, code, verifier);
        status.ShouldBe(400);
        error.ShouldBe("invalid_grant");
        body.TryGetProperty("access_token", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task WrongCodeVerifier_IsRejected()
    {
        var browser = host.CreateBrowser();
        var (_, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);
        var (status, error, _) = await RedeemAsync(browser, code, BrowserLogin.Pkce().Verifier);
        status.ShouldBe(400);
        error.ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task RefreshToken_Rotates_AndTheOldOneIsRefusedAfterUse()
    {
        var browser = host.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);
        var first = (await RedeemAsync(browser, code, verifier)).Body.GetProperty("refresh_token").GetString()!;

        var (status, _, rotated) = await RefreshAsync(browser, first);
        status.ShouldBe(200);
        var second = rotated.GetProperty("refresh_token").GetString()!;
        second.ShouldNotBe(first);

        var (reuseStatus, reuseError, reuse) = await RefreshAsync(browser, first);
        reuseStatus.ShouldBe(400);
        reuseError.ShouldBe("invalid_grant");
        reuse.TryGetProperty("access_token", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("http://localhost:5003/callback/login/evil")]
    [InlineData("http://localhost:5003/callback/login/local/extra")]
    [InlineData("http://localhost:5003/callback/login/localx")]
    [InlineData("http://localhost:5003/callback/login/local?next=https://attacker.example")]
    [InlineData("http://localhost:5003/CALLBACK/login/local")]
    [InlineData("https://attacker.example/callback/login/local")]
    public async Task RedirectUri_MustMatchExactly(string redirectUri)
    {
        var browser = host.CreateBrowser();
        var response = await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge, redirectUri));

        // An unregistered redirect URI is never redirected to: the error is shown by the provider itself.
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.Location.ShouldBeNull();
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task MissingPkce_IsRejected() =>
        await ShouldRefuseWithoutCode(await host.CreateBrowser().GetAsync(BrowserLogin.AuthorizeUrl(challenge: "")));

    [Fact]
    public async Task PlainPkce_IsRejected() =>
        await ShouldRefuseWithoutCode(await host.CreateBrowser().GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Verifier, method: "plain")));

    [Theory]
    [InlineData(42)]
    [InlineData(129)]
    public async Task CodeChallengeOutside43To128Characters_IsInvalidRequest(int length) =>
        await ShouldRefuseWithoutCode(await host.CreateBrowser().GetAsync(BrowserLogin.AuthorizeUrl(new string('a', length))));

    [Fact]
    public async Task CodeChallengeOutsideTheUnreservedSet_IsInvalidRequest() =>
        await ShouldRefuseWithoutCode(await host.CreateBrowser().GetAsync(BrowserLogin.AuthorizeUrl(new string('a', 42) + "+")));

    [Theory]
    [InlineData(42)]
    [InlineData(129)]
    public async Task CodeVerifierOutside43To128Characters_IsInvalidRequest_EvenWhenItMatchesTheChallenge(int length)
    {
        // The challenge of a short or long verifier is a well-formed 43-character S256 hash.
        var verifier = new string('v', length);
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var browser = host.CreateBrowser();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);

        var (status, error, body) = await RedeemAsync(browser, code, verifier);
        status.ShouldBe(400);
        error.ShouldBe("invalid_request");
        body.TryGetProperty("access_token", out _).ShouldBeFalse();
        body.ToString().ShouldNotContain("   at ");
    }

    /// <summary>OpenIddict answers these before any redirect: a 400 carrying the OAuth error, never a code.</summary>
    private static async Task ShouldRefuseWithoutCode(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.Headers.Location is { } location)
        {
            location.ToString().ShouldContain("error=invalid_request");
            location.ToString().ShouldNotContain("code=");
            return;
        }

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        body.ShouldContain("invalid_request");
        body.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task WrongPassword_ShowsOneMessage_AndNeverSaysWhichPartWasWrong()
    {
        var browser = host.CreateBrowser();
        var login = new BrowserLogin(browser);
        var unknown = new DemoUser("nobody-here", "Whatever!2026a", "survivor", null, null, null);
        var (r1, unknownHtml) = await login.PostFormAsync("/account/login", new() { ["UserName"] = unknown.UserName, ["Password"] = unknown.Password });
        var (r2, wrongHtml) = await login.PostFormAsync("/account/login", new() { ["UserName"] = "demo-compliance", ["Password"] = "Wrong!password1" });
        r1.StatusCode.ShouldBe(HttpStatusCode.OK);
        r2.StatusCode.ShouldBe(HttpStatusCode.OK);
        unknownHtml.ShouldContain("The user name or password is not right.");
        wrongHtml.ShouldContain("The user name or password is not right.");
    }

    [Fact]
    public async Task Userinfo_AnswersForTheUsersAccessToken()
    {
        var browser = host.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User("demo-survivor"), challenge);
        var access = (await RedeemAsync(browser, code, verifier)).Body.GetProperty("access_token").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new("Bearer", access);
        var response = await browser.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("survivor_id").GetString().ShouldBe("sv-1001");
        body.GetProperty("preferred_username").GetString().ShouldBe("demo-survivor");
    }

    private static Task<(int Status, string? Error, JsonElement Body)> RedeemAsync(HttpClient http, string code, string verifier) =>
        TokenRequests.RedeemCodeAsync(http, code, verifier);

    private static async Task<(int Status, string? Error, JsonElement Body)> RefreshAsync(HttpClient http, string refreshToken) =>
        await TokenRequests.ReadAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = BrowserLogin.PortalClientId,
        })));
}
