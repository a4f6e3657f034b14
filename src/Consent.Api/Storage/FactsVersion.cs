using Consent.Api.Agencies;
using Consent.Api.Consents;
using Consent.Api.DenyList;
using Consent.Api.Mous;
using Consent.Api.StatutoryBases;
using Consent.Api.Survivors;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Consent.Api.Storage;

/// <summary>
/// A counter that moves whenever anything a sharing decision depends on changes (agencies, survivors, grants,
/// deny lists, MOUs, statutory bases). It is incremented in the same transaction as the change, so a reader who
/// sees version <c>v</c> may reuse facts it loaded at <c>v</c>: a revocation is seen by the very next read, on
/// every instance that shares the database.
/// </summary>
public sealed class FactsVersion
{
    public const int SingletonId = 1;

    public int Id { get; private set; } = SingletonId;

    public long Version { get; private set; }

    private static readonly HashSet<Type> FactTypes =
    [
        typeof(Agency), typeof(Survivor), typeof(ConsentGrant), typeof(DenyEntry), typeof(Mou), typeof(MouParty), typeof(MouFlow),
        typeof(StatutoryBasis), typeof(InvolvedAgency), typeof(DecisionMaker),
    ];

    public static bool AnyFactChanged(ChangeTracker changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var entry in changes.Entries())
        {
            if ((entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted) && FactTypes.Contains(entry.Metadata.ClrType))
            {
                return true;
            }
        }

        return false;
    }

    // Atomic in the database, so that two concurrent changes never share a version.
    private const string BumpSql = """UPDATE "FactsVersions" SET "Version" = "Version" + 1 WHERE "Id" = 1""";

    public static Task BumpAsync(ConsentDb db, CancellationToken cancellationToken) => db.Database.ExecuteSqlRawAsync(BumpSql, cancellationToken);

    public static void Bump(ConsentDb db) => db.Database.ExecuteSqlRaw(BumpSql);
}
