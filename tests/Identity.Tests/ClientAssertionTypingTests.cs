using System.Text;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Identity.Tests;

/// <summary>
/// Client assertions as standard clients type them: SMART Backend Services fixes <c>typ</c> to <c>JWT</c>, RFC 7523
/// libraries send <c>JWT</c> or nothing, newer ones <c>client-authentication+jwt</c>. All three authenticate; what explicit
/// typing protects against stays refused: one of our own tokens (or any other JWT type) presented as an assertion.
/// </summary>
public sealed class ClientAssertionTypingTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private readonly HttpClient http = host.CreateClient();

    [Theory]
    [InlineData("harbor-house", "JWT")]
    [InlineData("harbor-house", "client-authentication+jwt")]
    [InlineData("harbor-house", "application/client-authentication+jwt")]
    [InlineData("harbor-house", null)]
    [InlineData("bridge-legal", "JWT")]
    [InlineData("bridge-legal", null)]
    public async Task Assertion_TypedAsStandardClientsTypeIt_GetsAToken(string agencyId, string? typ)
    {
        var client = host.Client(agencyId);
        var assertion = Build(client, typ, ClientAssertions.Claims(client));

        var (status, error, body) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion));

        status.ShouldBe(200, body.ToString());
        error.ShouldBeNull();
        new JsonWebToken(body.GetProperty("access_token").GetString()).GetClaim("agency_id").Value.ShouldBe(agencyId);
    }

    [Theory]
    [InlineData("at+jwt")]
    [InlineData("application/at+jwt")]
    [InlineData("oauth-authz-req+jwt")]
    [InlineData("dpop+jwt")]
    [InlineData("logout+jwt")]
    [InlineData("secevent+jwt")]
    public async Task Assertion_WithAnotherJwtType_IsRefused(string typ)
    {
        var client = host.Client("harbor-house");
        var assertion = Build(client, typ, ClientAssertions.Claims(client));

        var (status, error, _) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion));

        status.ShouldBe(401);
        error.ShouldBe("invalid_client");
    }

    [Fact]
    public async Task OurOwnAccessToken_PresentedAsAnAssertion_IsRefused()
    {
        var client = host.Client("harbor-house");
        var accessToken = await TokenRequests.AgencyTokenAsync(http, client);

        var (status, error, _) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, accessToken));

        status.ShouldBe(401);
        error.ShouldBe("invalid_client");
    }

    [Fact]
    public async Task OurOwnIdentityToken_PresentedAsAnAssertion_IsRefused()
    {
        var tokens = await TokenRequests.UserTokensAsync(host, "demo-survivor");
        var idToken = tokens.GetProperty("id_token").GetString()!;
        var client = host.Client("harbor-house");

        var (status, error, _) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, idToken));

        status.ShouldBe(401);
        error.ShouldBe("invalid_client");
    }

    [Theory]
    [InlineData("http://localhost/connect/introspect")]
    [InlineData("http://localhost/connect/authorize")]
    [InlineData("consent-api")]
    [InlineData("http://elsewhere.example/connect/token")]
    public async Task Assertion_ForAnotherAudience_IsRefused_WhateverItsType(string audience)
    {
        var client = host.Client("harbor-house");
        foreach (var typ in new[] { "JWT", null, "client-authentication+jwt" })
        {
            var assertion = Build(client, typ, ClientAssertions.Claims(client, audience));

            var (status, error, _) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion));

            status.ShouldBe(401, $"typ {typ ?? "(none)"}");
            error.ShouldBe("invalid_client");
        }
    }

    [Fact]
    public async Task Assertion_AddressedToTheIssuer_IsRefused_SmartAsksForTheTokenEndpoint()
    {
        var client = host.Client("harbor-house");
        var assertion = Build(client, "JWT", ClientAssertions.Claims(client, IdentityHost.Issuer));

        var (status, error, body) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion));

        status.ShouldBe(401, body.ToString());
        error.ShouldBe("invalid_client");
    }

    [Fact]
    public async Task UntypedAssertion_IsStillSingleUse_AndShortLived()
    {
        var client = host.Client("harbor-house");
        var assertion = Build(client, null, ClientAssertions.Claims(client));
        (await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion))).Status.ShouldBe(200);
        (await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion))).Error.ShouldBe("invalid_client");

        var longLived = ClientAssertions.Claims(client);
        longLived["exp"] = DateTimeOffset.UtcNow.AddMinutes(30).ToUnixTimeSeconds();
        (await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, Build(client, "JWT", longLived)))).Error.ShouldBe("invalid_client");
    }

    [Fact]
    public async Task UntypedAssertion_SignedRs256_IsRefused()
    {
        var client = host.Client("harbor-house");
        var assertion = Build(client, "JWT", ClientAssertions.Claims(client), algorithm: "RS256");

        (await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, assertion))).Error.ShouldBe("invalid_client");
    }

    /// <summary>
    /// Signs the assertion with the given <c>typ</c>, or none at all (the JWT handler always writes one, so an untyped
    /// assertion is signed by hand over the header without it).
    /// </summary>
    internal static string Build(DemoClient client, string? typ, Dictionary<string, object> claims, string? algorithm = null)
    {
        var key = ClientAssertions.PrivateKey(client);
        algorithm ??= client.Algorithm;
        if (typ is not null)
        {
            return ClientAssertions.Sign(claims, key, algorithm, typ);
        }

        var header = JsonSerializer.Serialize(new Dictionary<string, string> { ["alg"] = algorithm, ["kid"] = key.KeyId });
        var signingInput = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(header)) + "." +
                           Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(claims)));
        var signature = new SigningCredentials(key, algorithm).Key.CryptoProviderFactory
            .CreateForSigning(key, algorithm).Sign(Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }
}
