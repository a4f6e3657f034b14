using System.Globalization;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Identity.Keys;

/// <summary>
/// Persistent RSA keys for signing and encrypting tokens, stored as PKCS#8 PEM files (owner-only) so that
/// tokens and the published JWKS survive restarts. Each purpose keeps a list of keys: the newest signs,
/// older ones stay published until they retire, which is how a rollover happens without breaking tokens.
/// </summary>
public sealed class KeyStore(string directory, KeyStoreOptions options, TimeProvider time)
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    /// <summary>Loads the keys of a purpose, newest first, creating the first (or next) key when due.</summary>
    public IReadOnlyList<RsaSecurityKey> LoadOrCreate(string purpose)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var now = time.GetUtcNow();
        var keys = Files(purpose).Where(k => now - k.CreatedAt < options.RetireAfter).ToList();
        if (keys.Count == 0 || now - keys[0].CreatedAt >= options.RotateAfter)
        {
            keys.Insert(0, Create(purpose, now));
        }

        return keys.Select(k => Load(k.Path)).ToList();
    }

    /// <summary>Forces a new key for a purpose (manual rollover); the previous keys stay published.</summary>
    public void Rotate(string purpose) => Create(purpose, time.GetUtcNow());

    private List<(string Path, DateTimeOffset CreatedAt)> Files(string purpose) =>
        Directory.EnumerateFiles(directory, $"identity-{purpose}-*.pem")
            .Select(path => (Path: path, Stamp: System.IO.Path.GetFileNameWithoutExtension(path)[$"identity-{purpose}-".Length..]))
            .Where(f => DateTimeOffset.TryParseExact(f.Stamp, "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out _))
            .Select(f => (f.Path, DateTimeOffset.ParseExact(f.Stamp, "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)))
            .OrderByDescending(f => f.Item2)
            .ToList();

    private (string Path, DateTimeOffset CreatedAt) Create(string purpose, DateTimeOffset now)
    {
        using var rsa = RSA.Create(3072);
        var path = Path.Combine(directory, $"identity-{purpose}-{now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}.pem");
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(pem);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return (path, now);
    }

    private static RsaSecurityKey Load(string path) => FromPem(File.ReadAllText(path));

    /// <summary>A PKCS#8 PEM private key as the provider uses it.</summary>
    public static RsaSecurityKey FromPem(string pem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        var key = new RsaSecurityKey(rsa);
        // The key id is the RFC 7638 thumbprint, stable across restarts and instances.
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }
}
