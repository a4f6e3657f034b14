using System.Data.Common;

namespace Consent.Api.Storage;

/// <summary>
/// Many rows through one INSERT statement on a database server: each row a statement of one batch, sent in one round
/// trip (Npgsql pipelines a batch) instead of one round trip per row. The log's writer and the tree's integrator insert
/// this way on PostgreSQL; on SQLite, in process, they run one prepared statement per row instead.
/// </summary>
internal static class BatchedInserts
{
    /// <summary><c>@p0</c>, <c>@p1</c>, …: the parameters of a statement, in the order of each row's values.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } = [.. Enumerable.Range(0, 64).Select(i => $"@p{i}")];

    public static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, IEnumerable<object?[]> rows,
        CancellationToken cancellationToken)
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
