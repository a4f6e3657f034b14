using System.Data.Common;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Consent.Api.DisclosureTree;

/// <summary>
/// On a shared database (PostgreSQL) the tree, its heads and its keys are changed by one instance at a time, under
/// the advisory lock <see cref="PostgresConsentDb.DisclosureTreeLock"/>. The leader does nearly all of this work; the
/// lock covers the rest (a head signed on demand by another instance, a leader that has not yet noticed it lost its
/// lease). On SQLite there is one instance, whose in-process gates suffice: nothing is taken.
/// </summary>
internal static class DisclosureTreeLock
{
    /// <summary>Takes the lock for the session of <paramref name="db"/>'s open connection, until <see cref="ReleaseAsync"/>; false on SQLite.</summary>
    public static async Task<bool> AcquireAsync(ConsentDb db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            return false;
        }

        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({PostgresConsentDb.DisclosureTreeLock})", cancellationToken);
        return true;
    }

    public static async Task ReleaseAsync(ConsentDb db)
    {
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({PostgresConsentDb.DisclosureTreeLock})", CancellationToken.None);
        }
        catch (DbException)
        {
            // A session that may still hold the lock never goes back to the pool for others to use.
            NpgsqlConnection.ClearPool((NpgsqlConnection)db.Database.GetDbConnection());
            throw;
        }
    }

    /// <summary>A transaction holding the lock until it ends; null on SQLite (the change commits on its own).</summary>
    public static async Task<IDbContextTransaction?> BeginAsync(ConsentDb db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            return null;
        }

        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PostgresConsentDb.DisclosureTreeLock})", cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }
}
