using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Identity.Tests;

/// <summary>Agency systems: client_credentials with private_key_jwt (SMART Backend Services) or a client secret.</summary>
public sealed class ClientCredentialsTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private readonly HttpClient http = host.CreateClient();

    [Theory]
    [InlineData("harbor-house", "RS384")]
    [InlineData("bridge-legal", "ES384")]
    public async Task PrivateKeyJwt_IssuesShortLivedTokenCarryingTheAgency(string agencyId, string algorithm)
    {
        var client = host.Client(agencyId);
        client.Algorithm.ShouldBe(algorithm);

        var response = await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client), "system/*.rs");
        var (status, error, body) = await TokenRequests.ReadAsync(response);

        status.ShouldBe(200, body.ToString());
        error.ShouldBeNull();
        body.GetProperty("token_type").GetString().ShouldBe("Bearer");
        body.GetProperty("expires_in").GetInt32().ShouldBeLessThanOrEqualTo(300);
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        token.GetClaim("agency_id").Value.ShouldBe(agencyId);
        token.GetClaim("sub").Value.ShouldBe(client.ClientId);
        token.Audiences.ShouldContain("consent-api");
        token.GetClaim("scope").Value.ShouldBe("system/*.rs");
        (token.ValidTo - token.IssuedAt).ShouldBeLessThanOrEqualTo(TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task ClientSecret_IsTheSimplerOption()
    {
        var client = host.Client("northside-clinic");
        var response = await TokenRequests.ClientCredentialsWithSecret(http, client.ClientId, client.ClientSecret, "system/*.cruds");
        var (status, _, body) = await TokenRequests.ReadAsync(response);
        status.ShouldBe(200);
        new JsonWebToken(body.GetProperty("access_token").GetString()).GetClaim("agency_id").Value.ShouldBe("northside-clinic");
    }

    [Fact]
    public async Task WrongClientSecret_IsRejected() =>
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithSecret(http, host.Client("northside-clinic").ClientId, "not-the-secret"), "invalid_client");

    [Fact]
    public async Task AssertionSignedWithAnotherKey_IsRejected()
    {
        var client = host.Client("harbor-house");
        using var rsa = RSA.Create(2048);
        var stranger = new RsaSecurityKey(rsa) { KeyId = client.PrivateJwk["kid"] };
        var assertion = ClientAssertions.Sign(ClientAssertions.Claims(client), JsonWebKeyConverter.ConvertFromRSASecurityKey(stranger), "RS384");
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion), "invalid_client");
    }

    [Fact]
    public async Task ReplayedJti_IsRejected()
    {
        var client = host.Client("harbor-house");
        var assertion = ClientAssertions.Create(client);
        (await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion), "invalid_client");
    }

    [Fact]
    public async Task ExpiredAssertion_IsRejected()
    {
        var client = host.Client("harbor-house");
        var claims = ClientAssertions.Claims(client, now: DateTimeOffset.UtcNow.AddMinutes(-10));
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Sign(claims, ClientAssertions.PrivateKey(client), client.Algorithm)), "invalid_client");
    }

    [Fact]
    public async Task AssertionExpiredBeyondTheConfiguredSkew_IsRejected()
    {
        var client = host.Client("harbor-house");
        var claims = ClientAssertions.Claims(client);
        claims["iat"] = DateTimeOffset.UtcNow.AddSeconds(-200).ToUnixTimeSeconds();
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(-120).ToUnixTimeSeconds(); // within OpenIddict's 5 min, beyond the 30 s skew
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Sign(claims, ClientAssertions.PrivateKey(client), client.Algorithm)), "invalid_client");
    }

    [Fact]
    public async Task AssertionNotValidBeforeBeyondTheConfiguredSkew_IsRejected()
    {
        var client = host.Client("harbor-house");
        var claims = ClientAssertions.Claims(client);
        claims["nbf"] = DateTimeOffset.UtcNow.AddSeconds(200).ToUnixTimeSeconds();
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Sign(claims, ClientAssertions.PrivateKey(client), client.Algorithm)), "invalid_client");
    }

    [Fact]
    public async Task AssertionWhoseKidNamesNoRegisteredKey_IsRejected()
    {
        var client = host.Client("harbor-house");
        var key = ClientAssertions.PrivateKey(client);
        key.KeyId = "not-a-registered-key";
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Sign(ClientAssertions.Claims(client), key, client.Algorithm)), "invalid_client");
    }

    [Fact]
    public async Task AssertionIssuedMoreThanFiveMinutesAgo_IsRejectedEvenIfNotExpired()
    {
        var client = host.Client("harbor-house");
        var claims = ClientAssertions.Claims(client);
        claims["iat"] = DateTimeOffset.UtcNow.AddMinutes(-7).ToUnixTimeSeconds();
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeSeconds();
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Sign(claims, ClientAssertions.PrivateKey(client), client.Algorithm)), "invalid_client");
    }

    [Fact]
    public async Task AssertionLivingLongerThanFiveMinutes_IsRejected()
    {
        var client = host.Client("harbor-house");
        var claims = ClientAssertions.Claims(client);
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds();
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Sign(claims, ClientAssertions.PrivateKey(client), client.Algorithm)), "invalid_client");
    }

    [Fact]
    public async Task UnsignedAssertion_AlgNone_IsRejected()
    {
        var client = host.Client("harbor-house");
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Unsigned(ClientAssertions.Claims(client))), "invalid_client");
    }

    [Fact]
    public async Task Hs256SignedWithThePublicKey_IsRejected()
    {
        var client = host.Client("harbor-house");
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.HmacWithPublicKey(client, ClientAssertions.Claims(client))), "invalid_client");
    }

    [Fact]
    public async Task Rs256_IsNotASmartAlgorithm_AndIsRejected()
    {
        var client = host.Client("harbor-house");
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Sign(ClientAssertions.Claims(client), ClientAssertions.PrivateKey(client), "RS256")), "invalid_client");
    }

    [Theory]
    [InlineData("http://localhost/")] // the issuer: RFC 7523 allows it, SMART asks for the token endpoint
    [InlineData("http://localhost/connect/authorize")]
    [InlineData("https://other-provider.example/connect/token")]
    public async Task WrongAudience_IsRejected(string audience)
    {
        var client = host.Client("harbor-house");
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId,
            ClientAssertions.Create(client, audience)), "invalid_client");
    }

    [Fact]
    public async Task AssertionForAnotherClient_IsRejected()
    {
        var shelter = host.Client("harbor-house");
        var police = host.Client("metro-police");
        // Signed by the shelter's key but naming the police client.
        var claims = ClientAssertions.Claims(police);
        await ShouldBeRejected(await TokenRequests.ClientCredentialsWithAssertion(http, police.ClientId,
            ClientAssertions.Sign(claims, ClientAssertions.PrivateKey(shelter), shelter.Algorithm)), "invalid_client");
    }

    [Theory]
    [InlineData("platform/clients.manage")]
    [InlineData("system/*.rs openid")]
    [InlineData("user/*.rs")]
    public async Task ScopeBeyondTheRegistration_IsRejected(string scope)
    {
        await TokenRequests.ShouldRefuseScopeAsync(http, host.Client("harbor-house"), scope);
    }

    [Fact]
    public async Task RateLimit_AnswersTooManyRequestsWithAnOAuthError()
    {
        await using var limited = IdentityHost.With(overrides: new Dictionary<string, string?> { ["RateLimits:TokenPerMinute"] = "2" });
        var client = limited.CreateClient();
        var demo = limited.Client("harbor-house");
        for (var i = 0; i < 2; i++)
        {
            (await TokenRequests.ClientCredentialsWithSecret(client, demo.ClientId, demo.ClientSecret)).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        }

        var (status, error, _) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(client, demo.ClientId, demo.ClientSecret));
        status.ShouldBe(429);
        error.ShouldBe("temporarily_unavailable");
    }

    internal static async Task ShouldBeRejected(HttpResponseMessage response, string expectedError)
    {
        var (status, error, body) = await TokenRequests.ReadAsync(response);
        status.ShouldBeOneOf(400, 401);
        error.ShouldBe(expectedError, body.ToString());
        body.TryGetProperty("access_token", out _).ShouldBeFalse();
        body.ToString().ShouldNotContain("   at ", customMessage: "no stack trace in an OAuth error");
    }
}
