using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Consent.TestSupport;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Security.Tests;

/// <summary>The provider's own doors: client assertions, PKCE, oversize forms, sessions, TOTP and the login form.</summary>
[Collection(SecurityCollection.Name)]
public sealed class IdentityTests(SecuritySuite suite)
{
    private IdentityHost Identity => suite.Api.Identity;

    [Theory]
    [InlineData("expired-60s")]
    [InlineData("expired-300s")]
    [InlineData("nbf-200s-ahead")]
    [InlineData("unknown-kid")]
    [InlineData("alg-rs256")]
    [InlineData("alg-hs256")]
    [InlineData("alg-none")]
    public async Task BrokenClientAssertion_IsRefused(string kind)
    {
        var client = Identity.Client("harbor-house");
        var now = DateTimeOffset.UtcNow;
        var claims = ClientAssertions.Claims(client);
        var key = ClientAssertions.PrivateKey(client);
        var assertion = kind switch
        {
            "expired-60s" => ClientAssertions.Sign(Times(claims, now.AddSeconds(-120), now.AddSeconds(-60)), key, client.Algorithm),
            "expired-300s" => ClientAssertions.Sign(Times(claims, now.AddSeconds(-360), now.AddSeconds(-300)), key, client.Algorithm),
            "nbf-200s-ahead" => ClientAssertions.Sign(With(claims, "nbf", now.AddSeconds(200).ToUnixTimeSeconds()), key, client.Algorithm),
            "unknown-kid" => ClientAssertions.Sign(claims, WithKid(key, "no-such-key"), client.Algorithm),
            "alg-rs256" => Rs256(client, claims),
            "alg-hs256" => ClientAssertions.HmacWithPublicKey(client, claims),
            "alg-none" => ClientAssertions.Unsigned(claims),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var response = await TokenRequests.ClientCredentialsWithAssertion(Identity.CreateClient(), client.ClientId, assertion);
        (await response.OAuthError(HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized)).ShouldBe("invalid_client");
    }

    [Fact]
    public async Task ReplayedAssertionJti_IsRefused()
    {
        var client = Identity.Client("harbor-house");
        var assertion = ClientAssertions.Create(client);
        (await TokenRequests.ClientCredentialsWithAssertion(Identity.CreateClient(), client.ClientId, assertion)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await TokenRequests.ClientCredentialsWithAssertion(Identity.CreateClient(), client.ClientId, assertion);
        (await again.OAuthError(HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized)).ShouldBe("invalid_client");
    }

    [Theory]
    [InlineData("abc", "S256")]
    [InlineData("plain-challenge-that-is-long-enough-to-pass-a-length-check-0123", "plain")]
    public async Task WeakPkce_IsRefused(string challenge, string method)
    {
        var response = await Identity.CreateBrowser().GetAsync(BrowserLogin.AuthorizeUrl(challenge, method: method));
        if (response.Headers.Location is { } location)
        {
            location.ToString().ShouldContain("error=");
            location.ToString().ShouldNotContain("code=");
            return;
        }

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("invalid_request");
    }

    [Theory]
    [InlineData("long-key")]
    [InlineData("many-fields")]
    [InlineData("chunked-64k")]
    public async Task OversizeTokenForm_IsA4xxOAuthError_NeverA500(string kind)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token");
        var fields = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "northside-ehr" };
        switch (kind)
        {
            case "long-key":
                fields[new string('k', 2100)] = "v";
                request.Content = new FormUrlEncodedContent(fields);
                break;
            case "many-fields":
                for (var i = 0; i < 1100; i++)
                {
                    fields["f" + i] = "v";
                }

                request.Content = new FormUrlEncodedContent(fields);
                break;
            default:
                var body = "grant_type=client_credentials&padding=" + new string('a', 70 * 1024);
                request.Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(body)));
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
                request.Headers.TransferEncodingChunked = true;
                break;
        }

        var response = await Identity.CreateClient().SendAsync(request);
        await response.OAuthError(HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task RefreshToken_ReplayedAfterUse_IsRefused()
    {
        var http = Identity.CreateClient();
        var refresh = (await TokenRequests.UserTokensAsync(Identity, "demo-survivor")).GetProperty("refresh_token").GetString()!;
        var first = await http.PostAsync("/connect/token", Refresh(refresh));
        first.StatusCode.ShouldBe(HttpStatusCode.OK);

        var replay = await http.PostAsync("/connect/token", Refresh(refresh));
        (await replay.OAuthError(HttpStatusCode.BadRequest)).ShouldBe("invalid_grant");
    }

    [Fact]
    public async Task Logout_WithAForgedIdTokenHint_DoesNotEndTheSession()
    {
        var browser = Identity.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(Identity.User("demo-survivor"), challenge);
        var idToken = new JsonWebToken((await TokenRequests.RedeemCodeAsync(browser, code, verifier)).Body.GetProperty("id_token").GetString()!);

        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IdentityHost.Issuer,
            Audience = BrowserLogin.PortalClientId,
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = idToken.Subject },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "forger" }, SecurityAlgorithms.RsaSha256),
        });
        await browser.GetAsync(QueryHelpers.AddQueryString("/connect/logout", new Dictionary<string, string?>
        {
            ["id_token_hint"] = forged,
            ["post_logout_redirect_uri"] = "http://localhost:5003/callback/logout/local",
        }));

        // Still signed in: authorizing again goes straight back to the portal with a code.
        var again = await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge));
        BrowserLogin.Location(again).ShouldNotContain("/account/login");
    }

    [Fact]
    public async Task TotpCode_UsedOnce_IsRefusedTheSecondTime()
    {
        var userName = await suite.Parties.CreateUserAsync("advocate", agencyId: "harbor-house");
        _ = await suite.Parties.As(userName); // signs in once, through the TOTP page
        var user = UserFromParties(userName);
        var code = BrowserLogin.Totp(user);

        var first = await ToMfaPage(user);
        (await first.Login.SubmitFormAsync(first.MfaUrl, new() { ["Code"] = code })).ShouldNotContain("/account/mfa");

        var second = await ToMfaPage(user);
        var (response, html) = await second.Login.PostFormAsync(second.MfaUrl, new() { ["Code"] = code });
        response.Headers.Location.ShouldBeNull();
        html.ShouldContain("That code is not right");
    }

    [Fact]
    public async Task UnknownUser_WrongPassword_AndLockedAccount_ShowTheSameMessage()
    {
        var locked = UserFromParties(await suite.Parties.CreateUserAsync("survivor", survivorId: "sv-locked-" + Guid.NewGuid().ToString("n")[..6]));
        var login = new BrowserLogin(Identity.CreateBrowser());
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await login.PostFormAsync("/account/login", new() { ["UserName"] = locked.UserName, ["Password"] = "Wrong!pass" + attempt });
        }

        var messages = new List<string>();
        foreach (var (name, password) in new[] { ("nobody-" + Guid.NewGuid().ToString("n")[..8], "Whatever!2026a"), ("demo-compliance", "Wrong!password1"), (locked.UserName, locked.Password) })
        {
            var (response, html) = await new BrowserLogin(Identity.CreateBrowser()).PostFormAsync("/account/login", new() { ["UserName"] = name, ["Password"] = password });
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            messages.Add(ErrorText(html));
        }

        messages.Distinct().ShouldHaveSingleItem();
        // One text for all three: it may say that accounts lock after many attempts (it says so to everyone, real or
        // not), but it never singles out this account.
        messages[0].ShouldNotBeNullOrWhiteSpace();
        messages[0].ShouldNotContain(locked.UserName);
    }

    private async Task<(BrowserLogin Login, string MfaUrl)> ToMfaPage(DemoUser user)
    {
        var browser = Identity.CreateBrowser();
        var login = new BrowserLogin(browser);
        var location = BrowserLogin.Location(await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge)));
        location = await login.SubmitLoginAsync(location, user);
        location.ShouldContain("/account/mfa");
        return (login, location);
    }

    private DemoUser UserFromParties(string userName)
    {
        var field = typeof(Consent.Api.Tests.Parties).GetField("extraUsers", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var users = (System.Collections.Concurrent.ConcurrentDictionary<string, DemoUser>)field.GetValue(suite.Parties)!;
        return users[userName];
    }

    private static string ErrorText(string html)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        return string.Join(" ", document.QuerySelectorAll("[role=alert], .validation-summary-errors, .error, .field-validation-error").Select(e => e.TextContent.Trim()));
    }

    private static FormUrlEncodedContent Refresh(string token) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "refresh_token", ["refresh_token"] = token, ["client_id"] = BrowserLogin.PortalClientId,
    });

    private static Dictionary<string, object> Times(Dictionary<string, object> claims, DateTimeOffset issuedAt, DateTimeOffset expires)
    {
        claims["iat"] = issuedAt.ToUnixTimeSeconds();
        claims["exp"] = expires.ToUnixTimeSeconds();
        return claims;
    }

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value)
    {
        claims[name] = value;
        return claims;
    }

    private static JsonWebKey WithKid(JsonWebKey key, string kid)
    {
        var copy = new JsonWebKey(System.Text.Json.JsonSerializer.Serialize(key)) { Kid = kid };
        return copy;
    }

    /// <summary>RS256, which the platform does not accept: with the client's key if it is RSA, else a fresh RSA key under its kid.</summary>
    private static string Rs256(DemoClient client, Dictionary<string, object> claims)
    {
        var key = ClientAssertions.PrivateKey(client);
        if (key.Kty != "RSA")
        {
            key = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(RSA.Create(2048)) { KeyId = client.PrivateJwk["kid"] });
        }

        return ClientAssertions.Sign(claims, key, SecurityAlgorithms.RsaSha256);
    }
}
