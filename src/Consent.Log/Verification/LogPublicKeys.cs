using System.Security.Cryptography;
using System.Text.Json;
using Consent.Log.TreeHeads;

namespace Consent.Log.Verification;

/// <summary>
/// The log's public keys from a file an auditor holds: a PEM public key (<c>-----BEGIN PUBLIC KEY-----</c>), or the
/// JSON of <c>GET /.well-known/disclosure-log-keys</c> (<c>{"keys": [{"kid", "kty": "EC", "crv": "P-256", "x",
/// "y", "spki", …}]}</c>). Each key comes out as its SubjectPublicKeyInfo DER.
/// </summary>
public static class LogPublicKeys
{
    /// <summary>Reads the keys in a file; throws <see cref="FormatException"/> when it holds none or a malformed one.</summary>
    public static IReadOnlyList<byte[]> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.TrimStart().StartsWith('{') ? ParseKeySet(text) : [ParsePem(text)];
    }

    private static byte[] ParsePem(string pem)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new FormatException("Not a PEM EC public key: " + e.Message, e);
        }

        return Checked(key.ExportSubjectPublicKeyInfo(), kid: null);
    }

    private static List<byte[]> ParseKeySet(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("A key set is a JSON object with a \"keys\" array.");
            }

            var result = new List<byte[]>();
            foreach (var jwk in keys.EnumerateArray())
            {
                var kid = jwk.TryGetProperty("kid", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
                byte[] spki;
                if (jwk.TryGetProperty("spki", out var der) && der.ValueKind == JsonValueKind.String)
                {
                    spki = Convert.FromBase64String(der.GetString()!);
                }
                else
                {
                    if (Text(jwk, "kty") != "EC" || Text(jwk, "crv") != "P-256")
                    {
                        throw new FormatException("A log key is an EC P-256 key.");
                    }

                    using var key = ECDsa.Create(new ECParameters
                    {
                        Curve = ECCurve.NamedCurves.nistP256,
                        Q = new ECPoint { X = Base64Url(Text(jwk, "x")), Y = Base64Url(Text(jwk, "y")) },
                    });
                    spki = key.ExportSubjectPublicKeyInfo();
                }

                result.Add(Checked(spki, kid));
            }

            return result.Count > 0 ? result : throw new FormatException("The key set holds no key.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or CryptographicException)
        {
            throw new FormatException("Not a key set: " + e.Message, e);
        }
    }

    private static byte[] Checked(byte[] spki, string? kid)
    {
        using var key = TreeHeadSignature.ImportPublicKey(spki) ?? throw new FormatException("A log key is an EC P-256 public key.");
        if (kid is not null && kid != TreeHeadSignature.KeyIdOf(spki))
        {
            throw new FormatException($"Key {kid} is not the SHA-256 of its SubjectPublicKeyInfo.");
        }

        return spki;
    }

    private static string Text(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"A key has \"{name}\".");

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}
