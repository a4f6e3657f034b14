using System.Data.Common;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Cli.Seed;

/// <summary>
/// One transaction of synthetic facts (survivors, grants and their versions) written without the change tracker, which
/// at a million grants costs far more than the writes: rows made by <see cref="TableColumns{TEntity}"/> from the EF
/// mapping, one prepared statement per row on SQLite, batches of statements on PostgreSQL, as the log's writer does.
/// The facts version moves in the same transaction, as <see cref="ConsentDb.SaveChangesAsync(bool, CancellationToken)"/>
/// moves it, so an API that cached facts sees the change.
/// </summary>
internal sealed class FactRows : IAsyncDisposable
{
    private const int Batch = 4096;

    private readonly AsyncServiceScope scope;
    private readonly ConsentDb db;
    private readonly IDbContextTransaction transaction;
    private readonly Dictionary<string, (DbCommand Command, DbParameter[] Parameters)> prepared = new(StringComparer.Ordinal);

    private FactRows(AsyncServiceScope scope, ConsentDb db, IDbContextTransaction transaction)
    {
        this.scope = scope;
        this.db = db;
        this.transaction = transaction;
    }

    public static async Task<FactRows> BeginAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var scope = services.CreateAsyncScope();
        try
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            await db.Database.OpenConnectionAsync(cancellationToken);
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await FactsVersion.BumpAsync(db, cancellationToken);
            return new FactRows(scope, db, transaction);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    public async Task InsertAsync<TEntity>(TableColumns<TEntity> columns, IEnumerable<TEntity> entities, CancellationToken cancellationToken)
        where TEntity : class
    {
        var connection = db.Database.GetDbConnection();
        var dbTransaction = transaction.GetDbTransaction();
        if (!db.Database.IsSqlite())
        {
            foreach (var chunk in entities.Chunk(Batch))
            {
                await BatchedInserts.ExecuteAsync(connection, dbTransaction, columns.InsertSql, chunk.Select(columns.Row), cancellationToken);
            }

            return;
        }

        if (!prepared.TryGetValue(columns.InsertSql, out var insert))
        {
            var command = connection.CreateCommand();
            command.Transaction = dbTransaction;
            command.CommandText = columns.InsertSql;
            var parameters = new DbParameter[columns.Count];
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i] = command.CreateParameter();
                parameters[i].ParameterName = BatchedInserts.ParameterNames[i];
                command.Parameters.Add(parameters[i]);
            }

            await command.PrepareAsync(cancellationToken);
            prepared[columns.InsertSql] = insert = (command, parameters);
        }

        foreach (var entity in entities)
        {
            var row = columns.Row(entity);
            for (var i = 0; i < row.Length; i++)
            {
                insert.Parameters[i].Value = row[i] ?? DBNull.Value;
            }

            await insert.Command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var (command, _) in prepared.Values)
        {
            await command.DisposeAsync();
        }

        await transaction.DisposeAsync();
        await db.Database.CloseConnectionAsync();
        await scope.DisposeAsync();
    }
}
