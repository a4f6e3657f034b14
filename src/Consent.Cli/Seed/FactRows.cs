using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Cli.Seed;

/// <summary>
/// One transaction of synthetic facts (survivors, grants and their versions) written without the change tracker, which
/// at a million grants costs far more than the writes: rows made by <see cref="TableColumns{TEntity}"/> from the EF
/// mapping, through <see cref="RowInserts"/> as the log's writer inserts.
/// The facts version moves in the same transaction, as <see cref="ConsentDb.SaveChangesAsync(bool, CancellationToken)"/>
/// moves it, so an API that cached facts sees the change.
/// </summary>
internal sealed class FactRows : IAsyncDisposable
{
    private const int Batch = 4096;

    private readonly AsyncServiceScope scope;
    private readonly ConsentDb db;
    private readonly IDbContextTransaction transaction;
    private readonly Dictionary<string, RowInserts> inserts = new(StringComparer.Ordinal);

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
        if (!inserts.TryGetValue(columns.InsertSql, out var insert))
        {
            inserts[columns.InsertSql] = insert = new RowInserts(db.Database.GetDbConnection(), columns.InsertSql, columns.Count);
        }

        // Chunks bound a PostgreSQL batch's size; on SQLite they change nothing.
        foreach (var chunk in entities.Chunk(Batch))
        {
            await insert.ExecuteAsync(transaction.GetDbTransaction(), chunk.Select(columns.Row), cancellationToken);
        }
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var insert in inserts.Values)
        {
            await insert.DisposeAsync();
        }

        await transaction.DisposeAsync();
        await db.Database.CloseConnectionAsync();
        await scope.DisposeAsync();
    }
}
