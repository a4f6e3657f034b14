using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.TestSupport;

/// <summary>Builds SMART Backend Services client assertions, well-formed or deliberately broken.</summary>
public static class ClientAssertions
{
    public static JsonWebKey PrivateKey(DemoClient client) => new(JsonSerializer.Serialize(client.PrivateJwk));

    public static Dictionary<string, object> Claims(DemoClient client, string audience = IdentityHost.TokenEndpoint, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        return new Dictionary<string, object>
        {
            ["iss"] = client.ClientId,
            ["sub"] = client.ClientId,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString("n"),
            ["iat"] = at.ToUnixTimeSeconds(),
            ["exp"] = at.AddMinutes(4).ToUnixTimeSeconds(),
        };
    }

    /// <summary>The explicit JWT type of client authentication JWTs (draft-ietf-oauth-rfc7523bis).</summary>
    public const string AssertionType = "client-authentication+jwt";

    public static string Sign(Dictionary<string, object> claims, JsonWebKey key, string algorithm, string type = AssertionType)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, algorithm),
            TokenType = type,
        });
    }

    public static string Create(DemoClient client, string audience = IdentityHost.TokenEndpoint) =>
        Sign(Claims(client, audience), PrivateKey(client), client.Algorithm);

    /// <summary>An unsigned token (<c>alg: none</c>).</summary>
    public static string Unsigned(Dictionary<string, object> claims) =>
        $"{B64("{\"alg\":\"none\",\"typ\":\"client-authentication+jwt\"}")}.{B64(JsonSerializer.Serialize(claims))}.";

    /// <summary>The algorithm-confusion attack: HS256 with the client's public key as the HMAC secret.</summary>
    public static string HmacWithPublicKey(DemoClient client, Dictionary<string, object> claims)
    {
        var publicJwk = client.PrivateJwk.Where(p => p.Key is "kty" or "kid" or "n" or "e" or "crv" or "x" or "y")
            .ToDictionary(p => p.Key, p => p.Value);
        var secret = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(publicJwk));
        var signingInput = $"{B64($"{{\"alg\":\"HS256\",\"typ\":\"client-authentication+jwt\",\"kid\":\"{client.PrivateJwk["kid"]}\"}}")}.{B64(JsonSerializer.Serialize(claims))}";
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    private static string B64(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));
}
