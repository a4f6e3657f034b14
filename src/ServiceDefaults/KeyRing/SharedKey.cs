namespace Consent.ServiceDefaults.KeyRing;

/// <summary>A private key every instance of the app uses (e.g. the provider's token signing key), sealed with the key-encryption key.</summary>
public sealed class SharedKey
{
    private SharedKey() { Purpose = SealedPrivateKey = ""; }

    public SharedKey(string purpose, DateTimeOffset createdAt, string sealedPrivateKey)
    {
        Purpose = purpose;
        CreatedAtUnix = createdAt.ToUnixTimeSeconds();
        SealedPrivateKey = sealedPrivateKey;
    }

    public long Id { get; private set; }
    public string Purpose { get; private set; }

    /// <summary>Unix seconds, as the other instants of the platform's stores.</summary>
    public long CreatedAtUnix { get; private set; }

    public DateTimeOffset CreatedAt => DateTimeOffset.FromUnixTimeSeconds(CreatedAtUnix);

    /// <summary>PKCS#8 PEM, sealed by <see cref="KeyEncryptionKeys"/> in the context <c>shared-key:{purpose}</c>.</summary>
    public string SealedPrivateKey { get; private set; }

    internal void Reseal(string sealedPrivateKey) => SealedPrivateKey = sealedPrivateKey;
}
