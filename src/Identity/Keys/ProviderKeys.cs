using Consent.ServiceDefaults.KeyRing;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Consent.Identity.Keys;

/// <summary>
/// On PostgreSQL, the provider's signing and encryption keys are the instances' <see cref="SharedKeys"/>: created once
/// in the database (sealed with the key-encryption key), rotated and retired by <see cref="KeyStoreOptions"/> as the
/// key files are, so every instance signs with the same key and publishes the same JWKS. Instances reload them every
/// <see cref="KeyStoreOptions.RefreshInterval"/> (<see cref="ProviderKeysRefresh"/>), and a new key signs only once
/// it has been published for two intervals.
/// </summary>
internal static class ProviderKeys
{
    /// <summary>Adds the keys, the one to use first, as the credentials OpenIddict makes for an RSA key (RS256; RSA-OAEP with A256CBC-HS512).</summary>
    public static void AddShared(OpenIddictServerOptions options, SharedKeys keys, KeyStoreOptions rotation)
    {
        var useAfter = 2 * rotation.RefreshInterval;
        foreach (var pem in keys.LoadOrCreate(KeyStore.Signing, rotation.RotateAfter, rotation.RetireAfter, useAfter))
        {
            options.SigningCredentials.Add(new SigningCredentials(KeyStore.FromPem(pem), SecurityAlgorithms.RsaSha256));
        }

        foreach (var pem in keys.LoadOrCreate(KeyStore.Encryption, rotation.RotateAfter, rotation.RetireAfter, useAfter))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials(KeyStore.FromPem(pem), SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }
}
