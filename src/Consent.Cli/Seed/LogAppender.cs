using Microsoft.Extensions.DependencyInjection;
using System.Threading.Channels;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;

namespace Consent.Cli.Seed;

/// <summary>
/// Appends synthetic entries to the end of the disclosure log, continuing its chain, through the log writer's own
/// session (its connection settings, its lock on PostgreSQL, its prepared inserts on SQLite and binary COPY on PostgreSQL) and its chaining and
/// column mapping, so the rows are exactly those the API would write. Entries are made on one thread and inserted on
/// another (hashing and inserting each take about half the time), in large transactions: each commits a valid
/// continuation of the chain, so an interrupted seed leaves a shorter log that verifies, and a rerun continues it.
/// </summary>
internal sealed class LogAppender(IServiceProvider services, TimeProvider time)
{
    /// <summary>Rows per insert call: one batch of statements on PostgreSQL.</summary>
    private const int Batch = 4096;

    /// <summary>Rows per transaction.</summary>
    private const int Transaction = 256 * Batch;

    /// <summary>
    /// Appends entries until the log holds <paramref name="target"/>, about the first <paramref name="survivors"/>
    /// synthetic survivors, timed between the last entry and now (never before the last entry, never in the future
    /// unless the last entry is). Returns the new head's sequence.
    /// </summary>
    public async Task<long> AppendAsync(long target, long survivors, Action<long> appended, CancellationToken cancellationToken)
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        TableColumns<DisclosureEntry> columns;
        await using (var scope = scopes.CreateAsyncScope())
        {
            columns = TableColumns<DisclosureEntry>.From(scope.ServiceProvider.GetRequiredService<ConsentDb>().Model);
        }

        await using var session = await DisclosureLogSession.OpenAsync(scopes, columns, cancellationToken);

        ChainHead head;
        await using (var first = await session.BeginAsync())
        {
            await session.LockAsync();
            head = await session.ReadHeadAsync(cancellationToken);
        }

        if (head.Sequence >= target)
        {
            return head.Sequence;
        }

        var rows = Channel.CreateBounded<object?[][]>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(head, target, survivors, columns, rows.Writer, stop.Token), stop.Token);
        var expected = head.Sequence;
        try
        {
            while (expected < target)
            {
                await using var transaction = await session.BeginAsync();
                await session.LockAsync();
                if ((await session.ReadHeadAsync(cancellationToken)).Sequence != expected)
                {
                    throw new CommandFailed(
                        $"Another writer appended to the disclosure log while it was being seeded (it held {expected:N0} entries, now more). "
                        + "Stop the API before seeding; the entries seeded so far are committed and verify.");
                }

                for (var inTransaction = 0; inTransaction < Transaction && expected < target;)
                {
                    var batch = await rows.Reader.ReadAsync(cancellationToken);
                    await session.BulkInsertAsync(batch);
                    inTransaction += batch.Length;
                    expected += batch.Length;
                    appended(expected);
                }

                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            // The producer ends with the appends, whether they completed or failed.
            await stop.CancelAsync();
            await producer.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        return expected;
    }

    private async Task ProduceAsync(
        ChainHead head, long target, long survivors, TableColumns<DisclosureEntry> columns, ChannelWriter<object?[][]> writer, CancellationToken cancellationToken)
    {
        try
        {
            await WriteRowsAsync(head, target, survivors, columns, writer, cancellationToken);
            writer.Complete();
        }
        catch (Exception e)
        {
            // The inserting side sees the failure instead of waiting for rows that never come.
            writer.Complete(e);
        }
    }

    private async Task WriteRowsAsync(
        ChainHead head, long target, long survivors, TableColumns<DisclosureEntry> columns, ChannelWriter<object?[][]> writer, CancellationToken cancellationToken)
    {
        var count = target - head.Sequence;
        var now = time.GetUtcNow();
        var span = now > head.At ? (now - head.At).TotalMilliseconds : 0;
        var previous = head.Hash;
        for (var sequence = head.Sequence + 1; sequence <= target;)
        {
            var batch = new object?[Math.Min(Batch, target - sequence + 1)][];
            for (var i = 0; i < batch.Length; i++, sequence++)
            {
                var at = head.At.AddMilliseconds(span * (sequence - head.Sequence) / count);
                var entry = DisclosureEntry.Chain(sequence, at, SyntheticDisclosures.Draft(sequence, survivors), previous);
                batch[i] = columns.Row(entry);
                previous = entry.Hash;
            }

            await writer.WriteAsync(batch, cancellationToken);
        }
    }
}
