using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Storage;

/// <summary>
/// One turn per SQLite file for everything in this process that writes to it: the disclosure log's writer, the tree
/// integrator, <see cref="ConsentDb.SaveChanges(bool)"/> and the features' own transactions. SQLite has one write lock per
/// file and no queue: a write that finds it taken polls (the busy timeout of <see cref="SqliteConnectionSetup"/>), and
/// the log's writer, committing back to back under reads, leaves it free only for moments, so a consent grant or a
/// revocation could wait seconds while reads went on. Taking turns first (an async semaphore, waiters served in order)
/// makes every write wait at most for the writes queued before it. On PostgreSQL there is no turn (row locks).
/// </summary>
/// <remarks>
/// Whoever holds the turn must not wait for anything that needs it: never for a disclosure-log append. A context that
/// already has a transaction open does not take the turn again (whoever opened the transaction holds it).
/// </remarks>
public static class SqliteWriteTurn
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Turns = new(StringComparer.Ordinal);

    /// <summary>Waits for the file's turn; dispose the result to give it back. Null when none is needed.</summary>
    public static async Task<IDisposable?> TakeAsync(ConsentDb db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (For(db) is not { } turn)
        {
            return null;
        }

        await turn.WaitAsync(cancellationToken);
        return new Held(turn);
    }

    /// <summary>As <see cref="TakeAsync"/>, blocking (for the synchronous <c>SaveChanges</c>).</summary>
    public static IDisposable? Take(ConsentDb db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (For(db) is not { } turn)
        {
            return null;
        }

        turn.Wait();
        return new Held(turn);
    }

    private static SemaphoreSlim? For(ConsentDb db)
    {
        if (!db.Database.IsSqlite() || db.Database.CurrentTransaction is not null)
        {
            return null;
        }

        // An in-memory database belongs to its one connection: nothing to take turns with.
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        return string.IsNullOrEmpty(file) || file.StartsWith(':')
            ? null
            : Turns.GetOrAdd(Path.GetFullPath(file), _ => new SemaphoreSlim(1, 1));
    }

    private sealed class Held(SemaphoreSlim turn) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
