using System.Threading.Channels;
using Consent.Api.Storage;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureLog;

/// <summary>
/// The single writer of the disclosure log (group commit, pipelined). Appends wait in a bounded queue. While one
/// batch commits, the writer gathers the next: it gives each entry the next sequence number, chains its hash and
/// converts it to column values as it arrives, so when the commit returns only the insert and the next commit
/// remain. Each caller's append completes only after its own batch is committed. A failed commit fails every
/// caller in its batch, and the chain restarts from the last committed entry as read back from the database:
/// a batch already chained onto the failed one is chained again from there before it is inserted.
/// On PostgreSQL several instances may append to one log: each batch's transaction takes an advisory lock first and
/// reads the head under it, and a batch chained on a head another instance has since extended is chained again.
/// </summary>
public sealed partial class DisclosureLogWriter : BackgroundService, IDisclosureLog
{
    private readonly Channel<PendingAppend> queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
    });

    // Room for appends waiting for the writer, queued or in the batch being gathered: a slot is given back when
    // the entry's batch starts to commit. Beyond this, callers wait (backpressure) instead of piling up memory.
    private readonly SemaphoreSlim room;
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly ILogger<DisclosureLogWriter> logger;
    private readonly DisclosureLogCommits commits;
    private readonly int maxBatchSize;

    // The rest is the writer loop's state (the commit task uses the session only while the loop waits for it).
    private TableColumns<DisclosureEntry>? columns;
    private DisclosureLogSession? session;

    // The last entry sequenced, committed or in the batch committing: where the next entry chains on.
    // Null when unknown (before start, after a failed commit): the next batch reads it from the database.
    private ChainHead? tip;
    private Batch gathering = new();
    private Batch? committing;
    private Task? commit;
    private Task<bool>? readable;

    public DisclosureLogWriter(
        IServiceScopeFactory scopes, IOptions<DisclosureLogOptions> options, TimeProvider time, DisclosureLogCommits commits, ILogger<DisclosureLogWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.scopes = scopes;
        this.commits = commits;
        this.time = time;
        this.logger = logger;
        maxBatchSize = options.Value.MaxBatchSize;
        room = new SemaphoreSlim(options.Value.QueueCapacity);
    }

    /// <summary>Entries sequenced and chained in the batch that commits next (for tests; read without a lock).</summary>
    internal int ChainedAhead => gathering.Entries.Count;

    public async Task<DisclosureEntry> AppendAsync(DisclosureDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        draft.Validate();
        await room.WaitAsync(cancellationToken);
        var pending = new PendingAppend(draft);
        if (!queue.Writer.TryWrite(pending))
        {
            room.Release();
            throw new DisclosureLogUnavailableException("The disclosure log is shutting down.");
        }

        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PrepareAsync(stoppingToken);
            await PumpAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Stopping: refuse new appends, and still commit those already queued (their callers are waiting).
            queue.Writer.TryComplete();
            await PumpAsync(CancellationToken.None);
            if (session is not null)
            {
                await session.DisposeAsync();
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
                room.Release();
                left.Completion.TrySetException(new DisclosureLogUnavailableException("The disclosure log stopped before committing the entry."));
            }
        }
    }

    /// <summary>Opens the writer's connection (switching SQLite to write-ahead logging) and reads where the chain ends.</summary>
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            columns = TableColumns<DisclosureEntry>.From(scope.ServiceProvider.GetRequiredService<ConsentDb>().Model);
        }

        try
        {
            session = await DisclosureLogSession.OpenAsync(scopes, columns, cancellationToken);
            tip = await session.ReadHeadAsync(cancellationToken);
            LogChainHead(logger, tip.Value.Sequence);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Appends are still accepted; each batch opens the connection and reads the head itself until one succeeds.
            LogPrepareFailed(logger, e);
        }
    }

    /// <summary>
    /// Runs the pipeline until the queue is completed and empty: gathers (and chains) the next batch while the
    /// current one commits, answers the current batch's callers when its commit ends, then starts the next.
    /// </summary>
    private async Task PumpAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            Gather();
            if (commit is not null)
            {
                if (!commit.IsCompleted)
                {
                    await CommitEndedOrAppendQueuedAsync(stoppingToken);
                    continue;
                }

                FinishCommit();
            }

            if (gathering.Count > 0)
            {
                StartCommit();
            }
            else if (!await Readable(stoppingToken))
            {
                return;
            }
        }
    }

    private void Gather()
    {
        while (gathering.Count < maxBatchSize && queue.Reader.TryRead(out var pending))
        {
            gathering.Add(pending);
        }

        if (tip is { } head)
        {
            tip = gathering.Chain(head, time, columns!);
        }
    }

    private async Task CommitEndedOrAppendQueuedAsync(CancellationToken stoppingToken)
    {
        var more = Readable(stoppingToken);
        if (gathering.Count >= maxBatchSize || more is { IsCompletedSuccessfully: true, Result: false })
        {
            // Nothing more can join the next batch: wait for the commit alone (its failure is handled in FinishCommit).
            await commit!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        else
        {
            await Task.WhenAny(commit!, more);
        }
    }

    /// <summary>One wait for the queue at a time, kept across the loop's turns until an append arrives.</summary>
    private Task<bool> Readable(CancellationToken stoppingToken)
    {
        if (readable is null || readable.IsCompleted)
        {
            readable = queue.Reader.WaitToReadAsync(stoppingToken).AsTask();
        }

        return readable;
    }

    private void StartCommit()
    {
        var batch = gathering;
        gathering = new Batch();
        committing = batch;
        room.Release(batch.Count);
        commit = Task.Run(() => CommitAsync(batch));
    }

    /// <summary>
    /// One transaction for the whole batch, on the thread pool while the loop gathers the next. Callers'
    /// cancellation tokens are deliberately not used: one caller giving up must not abort the others' entries.
    /// </summary>
    private async Task CommitAsync(Batch batch)
    {
        try
        {
            session ??= await DisclosureLogSession.OpenAsync(scopes, columns!, CancellationToken.None);
            using (await session.TakeTurnAsync())
            {
                await using var transaction = await session.BeginAsync();
                await session.LockAsync();
                if (!batch.IsChained)
                {
                    // The head was unknown when the batch was gathered: it is read inside the transaction (under the
                    // lock on a shared log), so no other commit can come between.
                    batch.Unchain();
                    batch.Chain(await session.ReadHeadAsync(CancellationToken.None), time, columns!);
                }
                else if (session.Shared && await session.ReadHeadAsync(CancellationToken.None) is var head && !batch.FollowsOn(head))
                {
                    // Another instance appended since this one last committed: the batch follows its entries instead.
                    batch.Unchain();
                    batch.Chain(head, time, columns!);
                    batch.Rechained = true;
                }

                await session.InsertAsync(batch.Rows);
                await transaction.CommitAsync(CancellationToken.None);
            }
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync();
                session = null;
            }

            throw;
        }
    }

    private void FinishCommit()
    {
        var batch = committing!;
        var ended = commit!;
        committing = null;
        commit = null;
        if (ended.IsCompletedSuccessfully)
        {
            LogBatchCommitted(logger, batch.Count, batch.Entries[0].Sequence, batch.Entries[^1].Sequence);
            if (tip is null || batch.Rechained)
            {
                // The batch read the head itself; the one gathered meanwhile chains on from its last entry.
                gathering.Unchain();
                tip = gathering.Chain(ChainHead.After(batch.Entries[^1]), time, columns!);
            }

            batch.Complete();
            commits.Committed();
            return;
        }

        // Whatever was chained onto the failed batch is chained again, from the last committed entry, before it commits.
        tip = null;
        gathering.Unchain();
        var failure = ended.Exception?.InnerException ?? new OperationCanceledException();
        LogBatchFailed(logger, batch.Count, failure);
        batch.Fail(failure);
    }

    /// <summary>Appends taken together into one transaction, with their entries and column values once chained.</summary>
    private sealed class Batch
    {
        private readonly List<PendingAppend> appends = [];
        private readonly List<DisclosureEntry> entries = [];
        private readonly List<object?[]> rows = [];

        public int Count => appends.Count;

        public bool IsChained => entries.Count == appends.Count;

        public IReadOnlyList<DisclosureEntry> Entries => entries;

        public IReadOnlyList<object?[]> Rows => rows;

        /// <summary>Chained again at commit, after entries another instance appended.</summary>
        public bool Rechained { get; set; }

        public void Add(PendingAppend pending) => appends.Add(pending);

        /// <summary>True when the batch's first entry chains on <paramref name="head"/>.</summary>
        public bool FollowsOn(ChainHead head) =>
            entries.Count > 0 && entries[0].Sequence == head.Sequence + 1 && string.Equals(entries[0].PreviousHash, head.Hash, StringComparison.Ordinal);

        /// <summary>Sequences and chains the appends not yet chained, after <paramref name="head"/>; returns the new head.</summary>
        public ChainHead Chain(ChainHead head, TimeProvider time, TableColumns<DisclosureEntry> columns)
        {
            for (var i = entries.Count; i < appends.Count; i++)
            {
                var now = time.GetUtcNow();
                var entry = DisclosureEntry.Chain(head.Sequence + 1, now < head.At ? head.At : now, appends[i].Draft, head.Hash);
                entries.Add(entry);
                rows.Add(columns.Row(entry));
                head = ChainHead.After(entry);
            }

            return head;
        }

        public void Unchain()
        {
            entries.Clear();
            rows.Clear();
        }

        public void Complete()
        {
            for (var i = 0; i < appends.Count; i++)
            {
                appends[i].Completion.TrySetResult(entries[i]);
            }
        }

        public void Fail(Exception failure)
        {
            foreach (var pending in appends)
            {
                pending.Completion.TrySetException(new DisclosureLogUnavailableException("The disclosure log could not commit the entry.", failure));
            }
        }
    }

    private sealed class PendingAppend(DisclosureDraft draft)
    {
        public DisclosureDraft Draft { get; } = draft;

        // Callers continue on the thread pool, never inline on the writer loop, which has the next batch to commit.
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
