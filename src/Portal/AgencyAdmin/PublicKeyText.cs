using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Consent.Portal.AgencyAdmin;

/// <summary>Why a pasted key was not sent to the provider.</summary>
public enum PastedKeyProblem
{
    None,
    Missing,

    /// <summary>The text holds a private key: it is neither sent nor kept, and the agency should treat it as exposed.</summary>
    PrivateKey,
    Unreadable,
}

/// <summary>
/// Reads the public key an admin pastes: a JWK (JSON) or a PEM public key (<c>BEGIN PUBLIC KEY</c> or
/// <c>BEGIN RSA PUBLIC KEY</c>), turned into the JWK the provider takes. Whether the key is strong enough (RSA of 2048
/// bits or more, EC P-384) the provider decides. Private keys are refused here, so they never travel further.
/// </summary>
public static class PublicKeyText
{
    public static PastedKeyProblem TryRead(string? text, out JsonObject? jwk)
    {
        jwk = null;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return PastedKeyProblem.Missing;
        }

        if (trimmed.Contains("PRIVATE KEY", StringComparison.OrdinalIgnoreCase))
        {
            return PastedKeyProblem.PrivateKey;
        }

        return trimmed.StartsWith('{') ? FromJson(trimmed, out jwk) : FromPem(trimmed, out jwk);
    }

    private static PastedKeyProblem FromJson(string text, out JsonObject? jwk)
    {
        jwk = null;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject parsed || parsed["kty"] is null)
            {
                return PastedKeyProblem.Unreadable;
            }

            // A JWK's private parts: "d" for both RSA and EC, and the RSA primes.
            if (parsed.ContainsKey("d") || parsed.ContainsKey("p") || parsed.ContainsKey("q"))
            {
                return PastedKeyProblem.PrivateKey;
            }

            jwk = parsed;
            return PastedKeyProblem.None;
        }
        catch (JsonException)
        {
            return PastedKeyProblem.Unreadable;
        }
    }

    private static PastedKeyProblem FromPem(string text, out JsonObject? jwk)
    {
        jwk = null;
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return PastedKeyProblem.Unreadable;
        }

        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(text);
            var p = rsa.ExportParameters(includePrivateParameters: false);
            jwk = new JsonObject { ["kty"] = "RSA", ["n"] = Base64Url(p.Modulus!), ["e"] = Base64Url(p.Exponent!) };
            return PastedKeyProblem.None;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            // Not an RSA key: perhaps an EC one.
        }

        try
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(text);
            var p = ec.ExportParameters(includePrivateParameters: false);
            jwk = new JsonObject
            {
                ["kty"] = "EC",
                ["crv"] = CurveName(p.Curve),
                ["x"] = Base64Url(p.Q.X!),
                ["y"] = Base64Url(p.Q.Y!),
            };
            return PastedKeyProblem.None;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return PastedKeyProblem.Unreadable;
        }
    }

    /// <summary>The JWK name of the curve; one the provider does not take is passed on for it to refuse.</summary>
    private static string CurveName(ECCurve curve) => (curve.Oid?.Value, curve.Oid?.FriendlyName) switch
    {
        ("1.3.132.0.34", _) or (_, "nistP384" or "secP384r1" or "ECDSA_P384") => "P-384",
        ("1.2.840.10045.3.1.7", _) or (_, "nistP256" or "secP256r1" or "ECDSA_P256") => "P-256",
        ("1.3.132.0.35", _) or (_, "nistP521" or "secP521r1" or "ECDSA_P521") => "P-521",
        _ => "unknown",
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
