using System.Data.Common;
using Consent.Api.DisclosureLog;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace Consent.Api.Storage;

/// <summary>
/// Two per-connection settings every connection to the SQLite file gets as it opens, each one call into SQLite (no
/// statement: the read path opens a connection per request). Both are about the log's writer, which commits all the
/// time under reads, sharing the file with every other write (a consent grant, a FHIR record, an MOU signature):
/// <list type="bullet">
/// <item>The WAL checkpoint threshold of <see cref="DisclosureLogOptions.CheckpointPages"/>. With SQLite's default of
/// 1000 pages on the other connections, their commits found the writer's WAL past 1000 pages and ran the checkpoint
/// inside their own request. With one threshold everywhere it falls to whichever commit crosses it, nearly always
/// the writer's.</item>
/// <item>A busy timeout as long as the connection's command timeout (<see cref="SqliteConnection.DefaultTimeout"/>,
/// 30 s). Without one SQLite answers "busy" at once while the writer holds the write lock, and the data provider
/// sleeps 150 ms before each new try, so another write waited 150, 300, 450 ms for a lock held a few milliseconds.
/// SQLite's own busy handler tries again after 1, 2, 5, 10 ms and so on.</item>
/// </list>
/// </summary>
internal sealed class SqliteConnectionSetup(IOptions<DisclosureLogOptions> options) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle } sqlite)
        {
            return;
        }

        Check(raw.sqlite3_wal_autocheckpoint(handle, options.Value.CheckpointPages), "WAL checkpoint threshold");
        Check(raw.sqlite3_busy_timeout(handle, (int)Math.Min(int.MaxValue, sqlite.DefaultTimeout * 1000L)), "busy timeout");
    }

    private static void Check(int code, string setting)
    {
        if (code != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite refused the {setting} (code {code}).");
        }
    }
}
