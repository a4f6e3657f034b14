using System.Security.Cryptography;
using Consent.Log.TreeHeads;

namespace Consent.Api.DisclosureTree;

/// <summary>
/// The key that signs tree heads: ECDSA P-256, kept as a PKCS#8 PEM file readable by the owner only, created on
/// first start (SQLite), or given by configuration and the same for every instance (PostgreSQL). The private key
/// never enters the database; its public key is registered in <c>DisclosureLogKeys</c> before it signs anything.
/// Rotating it is replacing the file or the configured PEM (or pointing <c>DisclosureTree:SigningKeyFile</c> at a
/// new one): the next start loads that key and registers it, and the old public key stays registered, so every head
/// it signed stays verifiable.
/// </summary>
public sealed class TreeSigningKey : IDisposable
{
    private readonly ECDsa key;

    private TreeSigningKey(ECDsa key)
    {
        this.key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = TreeHeadSignature.KeyIdOf(PublicKey);
    }

    /// <summary>SubjectPublicKeyInfo DER.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Lowercase hex SHA-256 of <see cref="PublicKey"/>.</summary>
    public string KeyId { get; }

    /// <summary>Loads the key from <paramref name="path"/>, or creates it there (owner-only) when there is no file yet.</summary>
    public static TreeSigningKey LoadOrCreate(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        if (File.Exists(path))
        {
            return FromPem(File.ReadAllText(path));
        }

        var key = ECDsa.Create();
        try
        {
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            Write(path, key.ExportPkcs8PrivateKeyPem());
            return new TreeSigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The key in <paramref name="pem"/> (PKCS#8, ECDSA P-256).</summary>
    public static TreeSigningKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new InvalidOperationException("The disclosure log's signing key must be an ECDSA P-256 key.");
            }

            return new TreeSigningKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The DER-encoded signature of a tree head (see <see cref="TreeHeadSignature.SignedBytes"/>).</summary>
    public byte[] Sign(long timestamp, long treeSize, ReadOnlySpan<byte> rootHash) =>
        key.SignData(TreeHeadSignature.SignedBytes(timestamp, treeSize, rootHash), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public void Dispose() => key.Dispose();

    private static void Write(string path, string pem)
    {
        // Created owner-only before anything is written, and never over an existing file.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
        writer.Flush();
        stream.Flush(flushToDisk: true);
    }
}
