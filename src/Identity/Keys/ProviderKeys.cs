using Consent.ServiceDefaults.KeyRing;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Consent.Identity.Keys;

/// <summary>
/// On PostgreSQL, the provider's signing and encryption keys are the instances' <see cref="SharedKeys"/>: created once
/// in the database (sealed with the key-encryption key), rotated and retired by <see cref="KeyStoreOptions"/> as the
/// key files are, so every instance signs with the same key and publishes the same JWKS.
/// </summary>
internal static class ProviderKeys
{
    /// <summary>Adds the keys newest first, the credentials OpenIddict makes for an RSA key (RS256; RSA-OAEP with A256CBC-HS512).</summary>
    public static void AddShared(OpenIddictServerOptions options, SharedKeys keys, KeyStoreOptions rotation)
    {
        foreach (var pem in keys.LoadOrCreate(KeyStore.Signing, rotation.RotateAfter, rotation.RetireAfter))
        {
            options.SigningCredentials.Add(new SigningCredentials(KeyStore.FromPem(pem), SecurityAlgorithms.RsaSha256));
        }

        foreach (var pem in keys.LoadOrCreate(KeyStore.Encryption, rotation.RotateAfter, rotation.RetireAfter))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(KeyStore.FromPem(pem), SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }
}
