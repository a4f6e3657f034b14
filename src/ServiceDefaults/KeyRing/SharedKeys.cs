using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Consent.ServiceDefaults.KeyRing;

/// <summary>
/// Private keys shared by the app's instances through its database, one list per purpose: the newest is used, older
/// ones stay published until they retire, and a new one is made when the newest is due for rotation. Instances take
/// a transaction-scoped advisory lock first, so two starting together make one key, not two.
/// </summary>
public sealed class SharedKeys(IDbContextFactory<KeyRingDb> contexts, KeyEncryptionKeys keys, TimeProvider time)
{
    /// <summary>The advisory lock taken to create, retire or reseal shared keys.</summary>
    public const long Lock = 0x436F6E73_4B657973; // "ConsKeys"

    /// <summary>
    /// The purpose's live keys as PKCS#8 PEM, the one to use first; retired keys are deleted and a new one made when due.
    /// The key to use is the newest that has existed for <paramref name="useAfter"/> (so instances that reload the keys
    /// that often all know a new key before any uses it), or the oldest when none has; the others follow, newest first.
    /// </summary>
    public IReadOnlyList<string> LoadOrCreate(string purpose, TimeSpan rotateAfter, TimeSpan retireAfter, TimeSpan useAfter = default)
    {
        using var db = contexts.CreateDbContext();
        using var transaction = db.Database.BeginTransaction();
        db.Database.ExecuteSql($"SELECT pg_advisory_xact_lock({Lock})");
        var now = time.GetUtcNow();
        var stored = db.SharedKeys.Where(k => k.Purpose == purpose).OrderByDescending(k => k.CreatedAtUnix).ToList();
        var live = stored.Where(k => now - k.CreatedAt < retireAfter).ToList();
        db.SharedKeys.RemoveRange(stored.Except(live));
        if (live.Count == 0 || now - live[0].CreatedAt >= rotateAfter)
        {
            using var rsa = RSA.Create(3072);
            var created = new SharedKey(purpose, now, keys.Seal(Encoding.UTF8.GetBytes(rsa.ExportPkcs8PrivateKeyPem()), Context(purpose)));
            db.SharedKeys.Add(created);
            live.Insert(0, created);
        }

        db.SaveChanges();
        transaction.Commit();
        var first = live.FirstOrDefault(k => now - k.CreatedAt >= useAfter) ?? live[^1];
        return live.OrderBy(k => k == first ? 0 : 1).Select(k => Encoding.UTF8.GetString(keys.Open(k.SealedPrivateKey, Context(purpose)))).ToList();
    }

    internal static string Context(string purpose) => "shared-key:" + purpose;
}
