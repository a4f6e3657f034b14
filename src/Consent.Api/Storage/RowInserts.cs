using System.Data.Common;

namespace Consent.Api.Storage;

/// <summary>
/// Many rows through one INSERT statement, in the caller's transaction, as the log's writer, the tree's integrator and
/// <c>consent seed</c> write them. On a database server (a connection that makes batches: PostgreSQL) each row is a
/// statement of one batch, sent in one round trip (Npgsql pipelines a batch) instead of one round trip per row. In
/// process (SQLite), one prepared statement executed per row, kept for the next call on the same connection:
/// multi-row INSERTs measured slower there (Microsoft.Data.Sqlite binds every parameter by name, and SQLite finds a
/// name by a linear search, so binding grows with the square of the parameters).
/// </summary>
internal sealed class RowInserts(DbConnection connection, string sql, int columns) : IAsyncDisposable
{
    private DbCommand? prepared;
    private DbParameter[] parameters = [];

    /// <summary><c>@p0</c>, <c>@p1</c>, …: the parameters of a statement, in the order of each row's values.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = [.. Enumerable.Range(0, 64).Select(i => $"@p{i}")];

    public async Task ExecuteAsync(DbTransaction transaction, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        if (connection.CanCreateBatch)
        {
            await BatchAsync(transaction, rows, cancellationToken);
            return;
        }

        if (prepared is null)
        {
            prepared = connection.CreateCommand();
            prepared.Transaction = transaction;
            prepared.CommandText = sql;
            parameters = new DbParameter[columns];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = prepared.CreateParameter();
                parameters[i].ParameterName = ParameterNames[i];
                prepared.Parameters.Add(parameters[i]);
            }

            await prepared.PrepareAsync(cancellationToken);
        }

        prepared.Transaction = transaction;
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                parameters[i].Value = row[i] ?? DBNull.Value;
            }

            await prepared.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (prepared is not null)
        {
            await prepared.DisposeAsync();
        }
    }

    private async Task BatchAsync(DbTransaction transaction, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var row in rows)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = sql;
            for (var i = 0; i < row.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = ParameterNames[i];
                parameter.Value = row[i] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
