using System.Data.Common;
using Consent.Api.DisclosureLog;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using SQLitePCL;

namespace Consent.Api.Storage;

/// <summary>
/// Gives every connection to the SQLite file the WAL checkpoint threshold of <see cref="DisclosureLogOptions.CheckpointPages"/>
/// as it opens. SQLite's per-connection default is 1000 pages; the log's writer commits past that all the time, so
/// with the default any other write (a consent grant, a FHIR record, an MOU signature) found a WAL over 1000 pages
/// and ran the checkpoint inside its own commit and request, several milliseconds added to a survivor's or an
/// agency's write. With one threshold on every connection the checkpoint falls to whichever commit crosses it,
/// nearly always the writer's. One call into SQLite, no statement: the read path opens a connection per request.
/// </summary>
internal sealed class SqliteCheckpointThreshold(IOptions<DisclosureLogOptions> options) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            var code = raw.sqlite3_wal_autocheckpoint(handle, options.Value.CheckpointPages);
            if (code != raw.SQLITE_OK)
            {
                throw new InvalidOperationException($"SQLite refused the WAL checkpoint threshold (code {code}).");
            }
        }
    }
}
