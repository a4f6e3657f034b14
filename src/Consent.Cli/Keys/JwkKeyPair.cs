using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Consent.Cli.Keys;

/// <summary>
/// A signing key pair for an agency system, as JSON Web Keys (RFC 7517): RS384 (RSA 3072) or ES384 (P-384),
/// the algorithms SMART Backend Services asks for. The key id is the RFC 7638 thumbprint of the public key.
/// </summary>
public sealed record JwkKeyPair(string Algorithm, string KeyId, JsonObject PublicJwk, JsonObject PrivateJwk)
{
    public const string Rs384 = "RS384";
    public const string Es384 = "ES384";

    public static IReadOnlyList<string> Algorithms { get; } = [Rs384, Es384];

    private const int RsaKeySize = 3072;

    public static JwkKeyPair Generate(string algorithm) => algorithm switch
    {
        Rs384 => GenerateRsa(),
        Es384 => GenerateEc(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Use RS384 or ES384."),
    };

    private static JwkKeyPair GenerateRsa()
    {
        using var rsa = RSA.Create(RsaKeySize);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var n = B64(p.Modulus!);
        var e = B64(p.Exponent!);
        var publicJwk = new JsonObject { ["kty"] = "RSA", ["n"] = n, ["e"] = e };
        var kid = Thumbprint(publicJwk);
        publicJwk = new JsonObject { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["alg"] = Rs384, ["n"] = n, ["e"] = e };
        var privateJwk = publicJwk.DeepClone().AsObject();
        privateJwk["d"] = B64(p.D!);
        privateJwk["p"] = B64(p.P!);
        privateJwk["q"] = B64(p.Q!);
        privateJwk["dp"] = B64(p.DP!);
        privateJwk["dq"] = B64(p.DQ!);
        privateJwk["qi"] = B64(p.InverseQ!);
        return new JwkKeyPair(Rs384, kid, publicJwk, privateJwk);
    }

    private static JwkKeyPair GenerateEc()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p = ec.ExportParameters(includePrivateParameters: true);
        var x = B64(p.Q.X!);
        var y = B64(p.Q.Y!);
        var publicJwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-384", ["x"] = x, ["y"] = y };
        var kid = Thumbprint(publicJwk);
        publicJwk = new JsonObject { ["kty"] = "EC", ["kid"] = kid, ["use"] = "sig", ["alg"] = Es384, ["crv"] = "P-384", ["x"] = x, ["y"] = y };
        var privateJwk = publicJwk.DeepClone().AsObject();
        privateJwk["d"] = B64(p.D!);
        return new JwkKeyPair(Es384, kid, publicJwk, privateJwk);
    }

    /// <summary>Members of a JWK that belong to the private key (RFC 7518 section 6).</summary>
    public static IReadOnlyList<string> PrivateMembers { get; } = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>
    /// RFC 7638 thumbprint: SHA-256 over the required public members, in lexicographic order, without
    /// whitespace. The identity provider names keys the same way when a JWK comes without a kid.
    /// </summary>
    internal static string Thumbprint(JsonObject jwk)
    {
        string[] required = (string?)jwk["kty"] switch
        {
            "RSA" => ["e", "kty", "n"],
            "EC" => ["crv", "kty", "x", "y"],
            var other => throw new ArgumentException($"No thumbprint for key type {other}.", nameof(jwk)),
        };
        var canonical = new StringBuilder("{");
        foreach (var member in required)
        {
            canonical.Append(canonical.Length > 1 ? "," : "").Append('"').Append(member).Append("\":\"").Append((string?)jwk[member]).Append('"');
        }

        return B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.Append('}').ToString())));
    }

    internal static string B64(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
