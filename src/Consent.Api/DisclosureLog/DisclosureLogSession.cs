using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Consent.Api.DisclosureLog;

/// <summary>Where the chain ends: the last entry's sequence, hash and time (0, genesis and the epoch for an empty log).</summary>
internal readonly record struct ChainHead(long Sequence, string Hash, DateTimeOffset At)
{
    public static readonly ChainHead Empty = new(0, DisclosureChain.Genesis, DateTimeOffset.UnixEpoch);

    public static ChainHead After(DisclosureEntry entry) => new(entry.Sequence, entry.Hash, entry.RecordedAt);
}

/// <summary>
/// The writer's own connection to the log, kept open while commits succeed: durability is set once per
/// connection and the insert statements are prepared once. A failed commit closes it (the writer opens a new
/// one for the next batch), so nothing of a rolled-back transaction lingers on a reused connection.
/// </summary>
internal sealed class DisclosureLogSession : IAsyncDisposable
{
    private readonly AsyncServiceScope scope;
    private readonly ConsentDb db;
    private readonly TableColumns<DisclosureEntry> columns;
    private RowInserts? insert;

    private DisclosureLogSession(AsyncServiceScope scope, ConsentDb db, TableColumns<DisclosureEntry> columns)
    {
        this.scope = scope;
        this.db = db;
        this.columns = columns;
    }

    public static async Task<DisclosureLogSession> OpenAsync(
        IServiceScopeFactory scopes, TableColumns<DisclosureEntry> columns, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            await db.Database.OpenConnectionAsync(cancellationToken);
            if (db.Database.IsSqlite())
            {
                // Persistent for the database file; commits then append to the WAL and fsync it once each.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);

                // Per connection: a commit returns only after the WAL is fsynced, so a completed append survives power loss.
                await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = FULL;", cancellationToken);

                // The WAL checkpoint threshold, like every connection's, was set as it opened (SqliteConnectionSetup).
            }

            return new DisclosureLogSession(scope, db, columns);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    /// <summary>True when several instances may append to the log (PostgreSQL): each batch then takes the database's lock.</summary>
    public bool Shared => !db.Database.IsSqlite();

    /// <summary>The file's write turn on SQLite (<see cref="SqliteWriteTurn"/>), taken before <see cref="BeginAsync"/>; null on PostgreSQL.</summary>
    public Task<IDisposable?> TakeTurnAsync() => SqliteWriteTurn.TakeAsync(db, CancellationToken.None);

    public Task<IDbContextTransaction> BeginAsync() => db.Database.BeginTransactionAsync(CancellationToken.None);

    /// <summary>
    /// On a shared log, waits for the transaction-scoped advisory lock every instance's writer takes before it reads
    /// the head and appends, so the batches of all instances form one chain without gaps. Released at commit or rollback.
    /// </summary>
    public async Task LockAsync()
    {
        if (Shared)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PostgresConsentDb.DisclosureLogLock})", CancellationToken.None);
        }
    }

    public async Task<ChainHead> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var last = await db.Disclosures.AsNoTracking()
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash, e.RecordedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return last is null ? ChainHead.Empty : new ChainHead(last.Sequence, last.Hash, last.RecordedAt);
    }

    /// <summary>Inserts rows made by <see cref="TableColumns{TEntity}.Row"/>, in the current transaction (see <see cref="RowInserts"/>).</summary>
    public async Task InsertAsync(IReadOnlyList<object?[]> rows)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("The disclosure log inserts only inside a transaction.");
        insert ??= new RowInserts(db.Database.GetDbConnection(), columns.InsertSql, columns.Count);
        await insert.ExecuteAsync(transaction, rows, CancellationToken.None);
    }

    /// <summary>
    /// As <see cref="InsertAsync"/>, for bulk loads (<c>consent seed</c>): on PostgreSQL by binary COPY, which pays off
    /// only for large batches; on SQLite the same prepared statement.
    /// </summary>
    public async Task BulkInsertAsync(IReadOnlyList<object?[]> rows)
    {
        if (db.Database.GetDbConnection() is Npgsql.NpgsqlConnection connection)
        {
            await PostgresCopy.WriteAsync(connection, columns.CopySql, rows, CancellationToken.None);
            return;
        }

        await InsertAsync(rows);
    }

    public async ValueTask DisposeAsync()
    {
        if (insert is not null)
        {
            await insert.DisposeAsync();
        }

        await db.Database.CloseConnectionAsync();
        await scope.DisposeAsync();
    }
}
