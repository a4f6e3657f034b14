using System.Security.Cryptography;
using System.Text;

namespace Consent.ServiceDefaults.KeyRing;

/// <summary>
/// AES-256-GCM with the configured key-encryption keys. A sealed value names the key that sealed it (the first bytes of
/// its SHA-256) and is bound to a context (what it is), so a value cannot be passed off as another kind.
/// Format: <c>{key id}.{base64(nonce ‖ tag ‖ ciphertext)}</c>.
/// </summary>
public sealed class KeyEncryptionKeys
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] current;
    private readonly Dictionary<string, byte[]> byId = new(StringComparer.Ordinal);

    public KeyEncryptionKeys(KeyRingOptions options)
    {
        current = Decode(options.KeyEncryptionKey, $"{KeyRingOptions.Section}:{nameof(KeyRingOptions.KeyEncryptionKey)}");
        CurrentId = Id(current);
        byId[CurrentId] = current;
        foreach (var (previous, index) in options.PreviousKeyEncryptionKeys.Select((key, index) => (key, index)))
        {
            var key = Decode(previous, $"{KeyRingOptions.Section}:{nameof(KeyRingOptions.PreviousKeyEncryptionKeys)}:{index}");
            byId.TryAdd(Id(key), key);
        }
    }

    /// <summary>The id of the key new values are sealed with.</summary>
    public string CurrentId { get; }

    public string Seal(ReadOnlySpan<byte> plaintext, string context)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(current, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return CurrentId + "." + Convert.ToBase64String(sealedBytes);
    }

    public byte[] Open(string sealedValue, string context)
    {
        var dot = sealedValue.IndexOf('.', StringComparison.Ordinal);
        var keyId = dot > 0 ? sealedValue[..dot] : "";
        if (!byId.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException(
                $"A stored key is sealed with key-encryption key {keyId}, which is not configured: add it to "
                + $"{KeyRingOptions.Section}:{nameof(KeyRingOptions.PreviousKeyEncryptionKeys)}.");
        }

        var sealedBytes = Convert.FromBase64String(sealedValue[(dot + 1)..]);
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize),
            plaintext, Encoding.UTF8.GetBytes(context));
        return plaintext;
    }

    /// <summary>Whether a value is sealed with the current key (otherwise it is sealed again at start).</summary>
    public bool IsCurrent(string sealedValue) => sealedValue.StartsWith(CurrentId + ".", StringComparison.Ordinal);

    private static string Id(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));

    private static byte[] Decode(string? value, string name)
    {
        var bytes = new byte[32];
        if (string.IsNullOrWhiteSpace(value) || !Convert.TryFromBase64String(value.Trim(), bytes, out var written) || written != 32)
        {
            throw new InvalidOperationException(
                $"Storage:Provider is Postgres: set {name} to a base64 AES-256 key (32 random bytes, e.g. `openssl rand -base64 32`), "
                + "the same on every instance. It seals the keys the instances share in the database.");
        }

        return bytes;
    }
}
