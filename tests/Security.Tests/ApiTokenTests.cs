using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Consent.Identity.Keys;
using Consent.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Security.Tests;

/// <summary>Tokens the API must refuse, on /api and on /fhir (finding 5 among them).</summary>
[Collection(SecurityCollection.Name)]
public sealed class ApiTokenTests(SecuritySuite suite)
{
    public static TheoryData<string, string> Forgeries()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "wrong-audience", "expired", "alg-none", "tampered-signature", "unknown-key", "tampered-claims" })
        {
            data.Add(kind, "/api/me");
            data.Add(kind, "/fhir/Patient/" + Guid.NewGuid());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task ForgedToken_Is401(string kind, string url)
    {
        var now = DateTimeOffset.UtcNow;
        var token = kind switch
        {
            "wrong-audience" => Forge(now, now.AddMinutes(5), audience: "identity-admin"),
            "expired" => Forge(now.AddMinutes(-30), now.AddMinutes(-20)),
            "alg-none" => Unsigned(Forge(now, now.AddMinutes(5))),
            "tampered-signature" => TamperSignature(Forge(now, now.AddMinutes(5))),
            "unknown-key" => Sign(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "stranger" }, now, now.AddMinutes(5)),
            "tampered-claims" => TamperClaims(Forge(now, now.AddMinutes(5))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var response = await Send(url, token);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("   at ");
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/fhir/Patient/p-1")]
    public async Task ValidForgedControl_IsAccepted_SoTheRefusalsAboveMeanSomething(string url)
    {
        var now = DateTimeOffset.UtcNow;
        var response = await Send(url, Forge(now, now.AddMinutes(5)));
        response.StatusCode.ShouldNotBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TokenFromAnotherIssuer_Is401()
    {
        await using var other = IdentityHost.With(issuer: "http://other-provider.example/");
        var token = await TokenRequests.AgencyTokenAsync(other.CreateClient(), other.Client("harbor-house"), tokenEndpoint: "http://other-provider.example/connect/token");
        (await Send("/api/me", token)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/api/me")]
    [InlineData("/api/agencies")]
    [InlineData("/fhir/Patient?identifier=x")]
    public async Task TokenInTheQueryString_IsRefused(string url)
    {
        // Finding 5: a token in a URL ends up in proxy logs and browser history.
        var token = await TokenRequests.AgencyTokenAsync(suite.Api.Identity.CreateClient(), suite.Api.Identity.Client("harbor-house"));
        var separator = url.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        var response = await suite.Parties.Anonymous().GetAsync(url + separator + "access_token=" + Uri.EscapeDataString(token));
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RevokedAccessToken_IsRefusedByTheApi()
    {
        // Finding 5: after /connect/revoke the API must stop honouring the token.
        var tokens = await TokenRequests.UserTokensAsync(suite.Api.Identity, "demo-survivor");
        var access = tokens.GetProperty("access_token").GetString()!;
        (await Send("/api/me", access)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var revoke = await suite.Api.Identity.CreateClient().PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = access, ["token_type_hint"] = "access_token", ["client_id"] = BrowserLogin.PortalClientId,
        }));
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);

        // Refused once the API's short cache of the provider's answer has run out, and for good.
        await Task.Delay(SecuritySuite.RevocationWindow + TimeSpan.FromMilliseconds(500));
        var refused = await Send("/api/me", access);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Headers.WwwAuthenticate.ToString().ShouldContain("invalid_token");
        (await refused.ProblemBody(HttpStatusCode.Unauthorized)).ShouldNotMention(SecuritySuite.DemoSurvivor);
        (await Send("/fhir/Patient/anything", access)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> Send(string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Purpose-Of-Use", "TREAT");
        return await suite.Parties.Anonymous().SendAsync(request);
    }

    private string Forge(DateTimeOffset issuedAt, DateTimeOffset expires, string audience = "consent-api")
    {
        _ = suite.Api.Identity.Server;
        var keys = new KeyStore(Path.Combine(suite.Api.Identity.DataDirectory, "keys"), new KeyStoreOptions(), TimeProvider.System).LoadOrCreate(KeyStore.Signing);
        return Sign(keys[0], issuedAt, expires, audience);
    }

    private static string Sign(SecurityKey key, DateTimeOffset issuedAt, DateTimeOffset expires, string audience = "consent-api") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IdentityHost.Issuer,
            Audience = audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object> { ["sub"] = "forged", ["client_id"] = "forged", ["agency_id"] = "metro-police", ["scope"] = "system/*.rs" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });

    private static string Unsigned(string token)
    {
        var parts = token.Split('.');
        return $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"at+jwt\"}")}.{parts[1]}.";
    }

    private static string TamperSignature(string token)
    {
        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[0] ^= 0xFF;
        return $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string TamperClaims(string token)
    {
        var parts = token.Split('.');
        var claims = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("metro-police", "harbor-house", StringComparison.Ordinal);
        return $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(claims))}.{parts[2]}";
    }
}
