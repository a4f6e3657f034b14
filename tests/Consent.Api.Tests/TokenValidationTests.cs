using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Consent.Identity.Keys;
using Consent.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Api.Tests;

/// <summary>The API accepts the platform provider's tokens and nothing else.</summary>
public sealed class TokenValidationTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task AgencyToken_ByPrivateKeyJwt_ReachesTheApi_WhichSeesAgencyClientAndScopes()
    {
        var client = api.Identity.Client("northside-clinic");
        var token = await TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), client, "system/*.rs system/*.cruds");

        var response = await Me(token);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        me.GetProperty("agencyId").GetString().ShouldBe("northside-clinic");
        me.GetProperty("clientId").GetString().ShouldBe(client.ClientId);
        me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["system/*.rs", "system/*.cruds"], ignoreOrder: true);
    }

    [Fact]
    public async Task SurvivorToken_FromTheCodeFlow_ReachesTheApi()
    {
        var tokens = await TokenRequests.UserTokensAsync(api.Identity, "demo-survivor");

        var response = await Me(tokens.GetProperty("access_token").GetString()!);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        me.GetProperty("survivorId").GetString().ShouldBe("sv-1001");
        me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(["survivor"]);
    }

    [Fact]
    public async Task NoToken_Is401_WithABearerChallenge()
    {
        var response = await api.CreateClient().GetAsync("/api/me");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
    }

    [Fact]
    public async Task ExpiredToken_SignedWithTheRealKey_Is401()
    {
        var token = ForgeWithProviderKey(DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddMinutes(-20), IdentityHost.Issuer);
        (await Me(token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenFromAnotherIssuer_Is401()
    {
        // A second, fully working provider with its own issuer and keys: its tokens are genuine, but not ours.
        await using var other = IdentityHost.With(issuer: "http://other-provider.example/");
        var token = await TokenRequests.AgencyTokenAsync(other.CreateClient(), other.Client("harbor-house"),
            tokenEndpoint: "http://other-provider.example/connect/token");
        new JsonWebToken(token).Issuer.ShouldBe("http://other-provider.example/");
        (await Me(token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenWithOurIssuer_SignedByAnUnknownKey_Is401()
    {
        using var rsa = RSA.Create(2048);
        var stranger = new RsaSecurityKey(rsa) { KeyId = "unknown-key" };
        var token = Sign(stranger, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5), IdentityHost.Issuer);
        (await Me(token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenForAnotherAudience_Is401()
    {
        var token = ForgeWithProviderKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5), IdentityHost.Issuer, audience: "identity-admin");
        (await Me(token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ValidForgedControl_ProvesTheForgeryHelperMakesAcceptableTokens()
    {
        // Without this, the three tests above could pass because the helper itself is broken.
        var token = ForgeWithProviderKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5), IdentityHost.Issuer);
        (await Me(token)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OpenApiDocument_And_Health_AreOpen()
    {
        var http = api.CreateClient();
        (await http.GetAsync("/openapi/v1.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetStringAsync("/health/ready")).ShouldBe("Healthy");
        (await http.GetAsync("/scalar")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OversizedBody_IsRefused_WithoutAStackTrace()
    {
        var token = await TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), api.Identity.Client("harbor-house"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/me") { Content = new ByteArrayContent(new byte[2 * 1024 * 1024]) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await api.CreateClient().SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldContain("request-too-large");
        body.ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/fhir/Observation/obs-1")]
    public async Task ValidToken_InTheQueryString_Is401_AndDoesNotAuthenticate(string path)
    {
        var token = await TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), api.Identity.Client("northside-clinic"));

        var response = await api.CreateClient().GetAsync($"{path}?access_token={token}");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        response.Content.Headers.ContentType?.MediaType.ShouldBe(path.StartsWith("/fhir", StringComparison.Ordinal) ? "application/fhir+json" : "application/problem+json");
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldNotContain(token);
        body.ShouldNotContain("northside-clinic");
    }

    [Fact]
    public async Task ValidHeader_WithAnAccessTokenInTheQueryToo_IsRefused()
    {
        var token = await TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), api.Identity.Client("northside-clinic"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/me?access_token={token}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var response = await api.CreateClient().SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain(token);
        (await Me(token)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ValidToken_InAFormBody_DoesNotAuthenticate()
    {
        var token = await TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), api.Identity.Client("northside-clinic"));

        var response = await api.CreateClient().PostAsync("/api/me", new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = token }));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> Me(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.CreateClient().SendAsync(request);
    }

    /// <summary>Signs a token with the provider's own current signing key, read from its key folder.</summary>
    private string ForgeWithProviderKey(DateTimeOffset issuedAt, DateTimeOffset expires, string issuer, string audience = "consent-api")
    {
        _ = api.Identity.Server;
        var keys = new KeyStore(Path.Combine(api.Identity.DataDirectory, "keys"), new KeyStoreOptions(), TimeProvider.System)
            .LoadOrCreate(KeyStore.Signing);
        return Sign(keys[0], issuedAt, expires, issuer, audience);
    }

    private static string Sign(SecurityKey key, DateTimeOffset issuedAt, DateTimeOffset expires, string issuer, string audience = "consent-api") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object> { ["sub"] = "forged", ["client_id"] = "forged", ["agency_id"] = "metro-police", ["scope"] = "system/*.rs" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
}
