using System.Threading.Channels;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureLog;

/// <summary>
/// The single writer of the disclosure log (group commit). Appends wait in a bounded queue; the writer takes
/// everything queued (up to a batch), gives each entry the next sequence number and chains its hash, commits
/// the batch in one transaction, and only then completes each caller's append. A failed commit fails every
/// caller in the batch, and the chain restarts from the last committed entry as read back from the database.
/// Safe for one process: several instances need a database-level sequence or lock (docs/disclosure-log.md).
/// </summary>
public sealed partial class DisclosureLogWriter : BackgroundService, IDisclosureLog
{
    private readonly Channel<PendingAppend> queue;
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly ILogger<DisclosureLogWriter> logger;
    private readonly int maxBatchSize;

    // Touched only by the writer loop. Null when unknown (before start, after a failed commit): read from the database.
    private ChainHead? head;

    // The log's columns as the EF model maps them, read from the model on the first batch.
    private InsertColumn[]? insertColumns;

    public DisclosureLogWriter(IServiceScopeFactory scopes, IOptions<DisclosureLogOptions> options, TimeProvider time, ILogger<DisclosureLogWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.scopes = scopes;
        this.time = time;
        this.logger = logger;
        maxBatchSize = options.Value.MaxBatchSize;
        queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public async Task<DisclosureEntry> AppendAsync(DisclosureDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        draft.Validate();
        var pending = new PendingAppend(draft);
        try
        {
            await queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new DisclosureLogUnavailableException("The disclosure log is shutting down.");
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingAppend>(Math.Min(maxBatchSize, 4096));
        try
        {
            await PrepareAsync(stoppingToken);
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await CommitNextBatchAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopping: refuse new appends, and still commit those already queued (their callers are waiting).
            queue.Writer.TryComplete();
            while (queue.Reader.TryPeek(out _))
            {
                await CommitNextBatchAsync(batch);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (ExecuteTask is null || ExecuteTask.IsCompleted)
        {
            // A host stopped right after starting may never have run the loop: close the queue here, and
            // answer anyone still queued, rather than leave them waiting for a writer that will not come.
            queue.Writer.TryComplete();
            while (queue.Reader.TryRead(out var left))
            {
                left.Completion.TrySetException(new DisclosureLogUnavailableException("The disclosure log stopped before committing the entry."));
            }
        }
    }

    /// <summary>Switches SQLite to write-ahead logging and reads where the chain ends.</summary>
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            if (db.Database.IsSqlite())
            {
                // Persistent for the database file; commits then append to the WAL and fsync it once each.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", cancellationToken);
            }

            head = await ReadHeadAsync(db, cancellationToken);
            LogChainHead(logger, head.Value.Sequence);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Appends are still accepted; each batch reads the head itself until one succeeds.
            LogPrepareFailed(logger, e);
        }
    }

    private async Task CommitNextBatchAsync(List<PendingAppend> batch)
    {
        batch.Clear();
        while (batch.Count < maxBatchSize && queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }

        if (batch.Count == 0)
        {
            return;
        }

        DisclosureEntry[] entries;
        try
        {
            entries = await CommitAsync(batch);
        }
        catch (Exception e)
        {
            head = null;
            LogBatchFailed(logger, batch.Count, e);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(new DisclosureLogUnavailableException("The disclosure log could not commit the entry.", e));
            }

            return;
        }

        LogBatchCommitted(logger, entries.Length, entries[0].Sequence, entries[^1].Sequence);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(entries[i]);
        }
    }

    /// <summary>
    /// One transaction for the whole batch. Callers' cancellation tokens are deliberately not used: one caller
    /// giving up must not abort the commit of the others' entries.
    /// </summary>
    private async Task<DisclosureEntry[]> CommitAsync(List<PendingAppend> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        await db.Database.OpenConnectionAsync(CancellationToken.None);
        if (db.Database.IsSqlite())
        {
            // Per connection: a commit returns only after the WAL is fsynced, so a completed append survives power loss.
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = FULL;", CancellationToken.None);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var last = head ?? await ReadHeadAsync(db, CancellationToken.None);
        var now = time.GetUtcNow();
        var at = now < last.At ? last.At : now;
        var entries = new DisclosureEntry[batch.Count];
        var previous = last.Hash;
        for (var i = 0; i < batch.Count; i++)
        {
            entries[i] = DisclosureEntry.Chain(last.Sequence + 1 + i, at, batch[i].Draft, previous);
            previous = entries[i].Hash;
        }

        await InsertAsync(db, entries);
        await transaction.CommitAsync(CancellationToken.None);
        head = new ChainHead(entries[^1].Sequence, entries[^1].Hash, entries[^1].RecordedAt);
        return entries;
    }

    /// <summary>
    /// Inserts the batch with one prepared statement. The change tracker costs more than the fsync at these batch
    /// sizes, so the writer skips it, but not the model: columns and value conversions (instants, enums, JSON lists)
    /// come from the entity's EF mapping, so a row written here reads back through EF exactly as if EF wrote it.
    /// </summary>
    private async Task InsertAsync(ConsentDb db, DisclosureEntry[] entries)
    {
        var columns = insertColumns ??= InsertColumn.From(db);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        command.CommandText =
            $"INSERT INTO \"{DisclosureEntryConfiguration.Table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Column}\""))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
        var parameters = new System.Data.Common.DbParameter[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = $"@p{i}";
            command.Parameters.Add(parameters[i]);
        }

        await command.PrepareAsync(CancellationToken.None);
        foreach (var entry in entries)
        {
            for (var i = 0; i < columns.Length; i++)
            {
                parameters[i].Value = columns[i].Value(entry) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private sealed record InsertColumn(string Column, Func<DisclosureEntry, object?> Value)
    {
        public static InsertColumn[] From(ConsentDb db)
        {
            var entity = db.Model.FindEntityType(typeof(DisclosureEntry))!;
            var table = StoreObjectIdentifier.Table(DisclosureEntryConfiguration.Table);
            return entity.GetProperties().Select(property =>
            {
                var getter = property.GetGetter();
                var converter = property.GetTypeMapping().Converter;
                return new InsertColumn(property.GetColumnName(table)!, entry =>
                {
                    var value = getter.GetClrValue(entry);
                    return value is null || converter is null ? value : converter.ConvertToProvider(value);
                });
            }).ToArray();
        }
    }

    private static async Task<ChainHead> ReadHeadAsync(ConsentDb db, CancellationToken cancellationToken)
    {
        var last = await db.Disclosures.AsNoTracking()
            .OrderByDescending(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Hash, e.RecordedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return last is null
            ? new ChainHead(0, DisclosureChain.Genesis, DateTimeOffset.UnixEpoch)
            : new ChainHead(last.Sequence, last.Hash, last.RecordedAt);
    }

    private readonly record struct ChainHead(long Sequence, string Hash, DateTimeOffset At);

    private sealed class PendingAppend(DisclosureDraft draft)
    {
        public DisclosureDraft Draft { get; } = draft;

        public TaskCompletionSource<DisclosureEntry> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 4801, Level = LogLevel.Information, Message = "Disclosure log continues after entry {Sequence}")]
    private static partial void LogChainHead(ILogger logger, long sequence);

    [LoggerMessage(EventId = 4802, Level = LogLevel.Debug, Message = "Disclosure log committed {Count} entries, {First} to {Last}")]
    private static partial void LogBatchCommitted(ILogger logger, int count, long first, long last);

    [LoggerMessage(EventId = 4803, Level = LogLevel.Error, Message = "Disclosure log could not commit {Count} entries; their reads are refused")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 4804, Level = LogLevel.Error, Message = "Disclosure log could not read where its chain ends at start")]
    private static partial void LogPrepareFailed(ILogger logger, Exception exception);
}
