namespace Consent.ServiceDefaults.KeyRing;

/// <summary>
/// The key-encryption key that seals an app's shared keys (its Data Protection key ring, the identity provider's
/// token keys) before they are stored in PostgreSQL. The same value on every instance of the app; read on PostgreSQL only.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "KeyRing";

    /// <summary>A base64 AES-256 key (32 random bytes, e.g. <c>openssl rand -base64 32</c>): new keys are sealed with it.</summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>Keys used before a rotation: still opened, and what they sealed is sealed again with the current key at start.</summary>
    public List<string> PreviousKeyEncryptionKeys { get; set; } = [];
}
