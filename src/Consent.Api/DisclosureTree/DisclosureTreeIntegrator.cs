using System.Buffers;
using System.Data.Common;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Consent.Log.Merkle;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureTree;

/// <summary>The tree as integrated: its size (leaves) and its root.</summary>
public sealed record IntegratedTree(long Size, byte[] RootHash);

/// <summary>The stored tree disagrees with the log, so it is not extended (or signed) until someone investigates.</summary>
public sealed class DisclosureTreeHaltedException() : InvalidOperationException("The disclosure tree disagrees with the log and is no longer extended.");

/// <summary>
/// Keeps the log's Merkle tree (table <c>DisclosureTree</c>) up to date, off the writer's commit path: woken by the
/// writer's commit signal (and by a timer, as a fallback), it reads the hashes of the entries after the integrated
/// size, computes the complete subtrees they end, and inserts one row per leaf, one transaction per batch. Its
/// state is the frontier: the root of each complete subtree of the tree's compact range (one per set bit of the
/// size), loaded from the stored rows at start, so a restart continues where the rows end and never writes a row
/// twice. Before building on the stored tree it checks the tree's leaves against the log, and each new entry's
/// previous hash against the leaf before it; if they disagree (an altered log or tree), it stops for good and
/// logs an error, instead of extending or signing a tree that is not the log's. On a shared database only the
/// instance holding the <see cref="LeaderLease"/> runs it in the background; a pass run on demand elsewhere takes the
/// tree's lock like the leader's passes, and any pass starts again from the stored rows when another instance
/// extended them since (see <see cref="DisclosureTreeLock"/>).
/// </summary>
public sealed partial class DisclosureTreeIntegrator(
    IServiceScopeFactory scopes, DisclosureLogCommits commits, LeaderLease lease, IOptions<DisclosureTreeOptions> options,
    TimeProvider time, ILogger<DisclosureTreeIntegrator> logger) : BackgroundService
{
    private const string InsertSql =
        $"INSERT INTO \"{DisclosureTreeRowConfiguration.Table}\" (\"LeafIndex\", \"Hashes\") VALUES (@p0, @p1)";

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly DisclosureTreeOptions settings = options.Value;

    // Guarded by the gate. Null until loaded from the stored rows (again after any failed pass).
    private Frontier? frontier;
    private volatile bool halted;
    private long integratedSize;

    /// <summary>The number of leaves the stored tree has (as far as this process knows).</summary>
    public long IntegratedSize => Interlocked.Read(ref integratedSize);

    /// <summary>True once the stored tree was found to disagree with the log.</summary>
    public bool IsHalted => halted;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => lease.WhileLeadingAsync(IntegrateContinuallyAsync, stoppingToken);

    /// <summary>Integrates after each commit (and tick) until <paramref name="stoppingToken"/> or the tree halts.</summary>
    private async Task IntegrateContinuallyAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await IntegrateAsync(stoppingToken);
                if (settings.IntegrationPause > TimeSpan.Zero)
                {
                    // Lets commits accumulate, so one transaction here takes many of them.
                    await Task.Delay(settings.IntegrationPause, time, stoppingToken);
                }

                await commits.WaitAsync(settings.IntegrationInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (DisclosureTreeHaltedException)
            {
                return;
            }
            catch (Exception e)
            {
                // A storage failure: tried again on the next commit or tick, from the stored rows.
                LogIntegrationFailed(logger, e);
                await Task.Delay(settings.IntegrationInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Adds every committed entry (up to <paramref name="upToSize"/> leaves) to the stored tree and returns the tree
    /// as integrated. Throws <see cref="DisclosureTreeHaltedException"/> when the tree disagrees with the log.
    /// </summary>
    public async Task<IntegratedTree> IntegrateAsync(CancellationToken cancellationToken, long upToSize = long.MaxValue)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (halted)
            {
                throw new DisclosureTreeHaltedException();
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            await db.Database.OpenConnectionAsync(cancellationToken);
            var locked = false;
            try
            {
                locked = await DisclosureTreeLock.AcquireAsync(db, cancellationToken);
                if (locked && frontier is not null && await StoredSizeAsync(db, cancellationToken) != frontier.Size)
                {
                    // Another instance extended the tree: continue from its rows.
                    frontier = null;
                }

                frontier ??= await LoadAsync(db, cancellationToken);
                Interlocked.Exchange(ref integratedSize, frontier.Size);
                while (frontier.Size < upToSize)
                {
                    var limit = (int)Math.Min(settings.IntegrationBatchSize, upToSize - frontier.Size);
                    var entries = await ReadEntriesAsync(db, frontier.Size, limit, cancellationToken);
                    if (entries.Count == 0)
                    {
                        break;
                    }

                    var next = frontier.Clone();
                    var rows = new List<DisclosureTreeRow>(entries.Count);
                    foreach (var (sequence, previousHash, hash) in entries)
                    {
                        if (sequence != next.Size + 1 || !previousHash.AsSpan().SequenceEqual(next.LastLeaf))
                        {
                            Halt(next.Size);
                        }

                        rows.Add(next.Append(hash));
                    }

                    await InsertAsync(db, rows, cancellationToken);
                    frontier = next;
                    Interlocked.Exchange(ref integratedSize, next.Size);
                    LogIntegrated(logger, rows.Count, next.Size);
                }

                return new IntegratedTree(frontier.Size, frontier.RootHash());
            }
            catch (Exception e) when (e is not DisclosureTreeHaltedException)
            {
                // The rows may or may not have been committed: the next pass starts again from what is stored.
                frontier = null;
                throw;
            }
            finally
            {
                try
                {
                    if (locked)
                    {
                        await DisclosureTreeLock.ReleaseAsync(db);
                    }
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The frontier of the stored tree, after checking its rows and leaves against the log.</summary>
    private async Task<Frontier> LoadAsync(ConsentDb db, CancellationToken cancellationToken)
    {
        // The size is the last row's index plus one, read from the key's end. Counting the rows to find a gap would read
        // the whole table at every start (millions of rows); a missing row is found by the verifiers, which rebuild the
        // tree from the log (consent verify-log, POST /api/log/verify), and the rows read below are checked here.
        var size = await StoredSizeAsync(db, cancellationToken);
        var loaded = new Frontier();
        if (size == 0)
        {
            LogLoaded(logger, 0);
            return loaded;
        }

        // The subtrees of the compact range of [0, size): one per set bit, largest first; and the last leaf.
        var subtrees = new List<(long Row, int Level)>();
        long start = 0;
        for (var level = 62; level >= 0; level--)
        {
            if ((size & (1L << level)) != 0)
            {
                subtrees.Add((DisclosureTreeRow.RowOf(start, level), level));
                start += 1L << level;
            }
        }

        var wanted = subtrees.Select(s => s.Row).Append(size - 1).Distinct().ToList();
        var rows = await db.DisclosureTree.AsNoTracking().Where(r => wanted.Contains(r.LeafIndex))
            .Select(r => new { r.LeafIndex, r.Hashes }).ToDictionaryAsync(r => r.LeafIndex, r => r.Hashes, cancellationToken);
        var sequences = wanted.Select(row => row + 1).ToList();
        var logHashes = await db.Disclosures.AsNoTracking().Where(e => sequences.Contains(e.Sequence))
            .Select(e => new { e.Sequence, e.Hash }).ToDictionaryAsync(e => e.Sequence, e => e.Hash, cancellationToken);
        foreach (var row in wanted.Order())
        {
            // Each row's leaf hash must be its entry's hash, and the entry must exist: the tree is never ahead of the log.
            if (!rows.TryGetValue(row, out var hashes) || hashes.Length != DisclosureTreeRow.LevelsOf(row) * MerkleHash.Size
                || !logHashes.TryGetValue(row + 1, out var logHash) || !Matches(logHash, hashes.AsSpan(0, MerkleHash.Size)))
            {
                Halt(row);
            }
        }

        foreach (var (row, level) in subtrees)
        {
            loaded.SetRoot(level, rows[row].AsSpan(level * MerkleHash.Size, MerkleHash.Size));
        }

        loaded.SetEnd(size, rows[size - 1].AsSpan(0, MerkleHash.Size));
        LogLoaded(logger, size);
        return loaded;
    }

    /// <summary>How many leaves the stored tree holds, from its last row's key (no count of every row: seconds at 10M leaves).</summary>
    public static async Task<long> StoredSizeAsync(ConsentDb db, CancellationToken cancellationToken) =>
        (await db.DisclosureTree.MaxAsync(r => (long?)r.LeafIndex, cancellationToken) ?? -1) + 1;

    /// <summary>Sequence, previous hash and hash of up to <paramref name="limit"/> entries after the first <paramref name="size"/>.</summary>
    private static async Task<List<(long Sequence, byte[] PreviousHash, byte[] Hash)>> ReadEntriesAsync(
        ConsentDb db, long size, int limit, CancellationToken cancellationToken)
    {
        var entries = await db.Disclosures.AsNoTracking().Where(e => e.Sequence > size).OrderBy(e => e.Sequence).Take(limit)
            .Select(e => new { e.Sequence, e.PreviousHash, e.Hash }).ToListAsync(cancellationToken);
        return entries.Select(e => (e.Sequence, HashBytes(e.PreviousHash), HashBytes(e.Hash))).ToList();
    }

    /// <summary>
    /// Inserts the rows in one transaction, through one prepared statement (the change tracker would cost more than
    /// the hashing). On SQLite the transaction commits with <c>synchronous = NORMAL</c>: it then does not fsync while
    /// holding the write lock the log's writer needs, and losing the last rows to a power failure costs nothing (they
    /// are computed again from the log, which is fsynced). The next FULL commit on the file (the writer's next batch,
    /// a signed head) makes them durable, so a head never outlives the rows it covers. The connection's own setting
    /// is put back before it returns to the pool.
    /// </summary>
    private async Task InsertAsync(ConsentDb db, List<DisclosureTreeRow> rows, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var sqlite = db.Database.IsSqlite();
        var synchronous = sqlite ? await ScalarAsync(connection, "PRAGMA synchronous;") : null;
        try
        {
            if (sqlite)
            {
                await ScalarAsync(connection, "PRAGMA synchronous = NORMAL;");
            }

            // In turn with the log's writer and every other write for SQLite's write lock (see SqliteWriteTurn).
            using (await SqliteWriteTurn.TakeAsync(db, cancellationToken))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await using var insert = new RowInserts(connection, InsertSql, 2);
                await insert.ExecuteAsync(transaction.GetDbTransaction(), rows.Select(row => new object?[] { row.LeafIndex, row.Hashes }), cancellationToken);

                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (synchronous is not null)
            {
                try
                {
                    await ScalarAsync(connection, $"PRAGMA synchronous = {Convert.ToInt64(synchronous, System.Globalization.CultureInfo.InvariantCulture)};");
                }
                catch
                {
                    // Never let a connection with weaker durability go back to the pool for others to use.
                    Microsoft.Data.Sqlite.SqliteConnection.ClearPool((Microsoft.Data.Sqlite.SqliteConnection)connection);
                    throw;
                }
            }
        }
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(CancellationToken.None);
    }

    /// <summary>A stored hex hash as its 32 bytes; anything else (which the log's writer never stores) as an empty array, which matches nothing.</summary>
    private static byte[] HashBytes(string hex)
    {
        var bytes = new byte[MerkleHash.Size];
        return hex.Length == 2 * MerkleHash.Size && Convert.FromHexString(hex, bytes, out _, out var written) == OperationStatus.Done
            && written == MerkleHash.Size
            ? bytes
            : [];
    }

    private static bool Matches(string hex, ReadOnlySpan<byte> hash) => HashBytes(hex).AsSpan().SequenceEqual(hash);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Halt(long leafIndex)
    {
        halted = true;
        LogDisagrees(logger, leafIndex);
        throw new DisclosureTreeHaltedException();
    }

    /// <summary>
    /// The compact range of the tree: the root of the complete subtree of level k for each set bit k of the size
    /// (the subtrees the next leaves will be hashed onto), and the last leaf's hash, for the chain check.
    /// </summary>
    private sealed class Frontier
    {
        private readonly byte[]?[] roots = new byte[]?[63];

        public long Size { get; private set; }

        public byte[] LastLeaf { get; private set; } = new byte[MerkleHash.Size];

        public Frontier Clone()
        {
            var copy = new Frontier { Size = Size, LastLeaf = LastLeaf };
            roots.CopyTo(copy.roots, 0);
            return copy;
        }

        public void SetRoot(int level, ReadOnlySpan<byte> hash) => roots[level] = hash.ToArray();

        public void SetEnd(long size, ReadOnlySpan<byte> lastLeaf)
        {
            Size = size;
            LastLeaf = lastLeaf.ToArray();
        }

        /// <summary>Adds leaf <see cref="Size"/>: its row holds the leaf and every subtree it completes.</summary>
        public DisclosureTreeRow Append(byte[] leafHash)
        {
            var leafIndex = Size;
            var hashes = new byte[DisclosureTreeRow.LevelsOf(leafIndex) * MerkleHash.Size];
            leafHash.CopyTo(hashes, 0);
            var level = 0;
            for (; ((leafIndex >> level) & 1) == 1; level++)
            {
                // The new subtree is a right child: its parent, one level up, is now complete.
                MerkleHash.NodeHash(roots[level]!, hashes.AsSpan(level * MerkleHash.Size, MerkleHash.Size),
                    hashes.AsSpan((level + 1) * MerkleHash.Size, MerkleHash.Size));
                roots[level] = null;
            }

            roots[level] = hashes.AsSpan(level * MerkleHash.Size, MerkleHash.Size).ToArray();
            Size++;
            LastLeaf = leafHash;
            return new DisclosureTreeRow(leafIndex, hashes);
        }

        /// <summary>MTH of the whole tree: the compact range's roots folded from the smallest (rightmost) up.</summary>
        public byte[] RootHash()
        {
            if (Size == 0)
            {
                return MerkleHash.EmptyRoot.ToArray();
            }

            byte[]? root = null;
            for (var level = 0; level < roots.Length; level++)
            {
                if (roots[level] is { } subtree)
                {
                    root = root is null ? subtree.ToArray() : MerkleHash.NodeHash(subtree, root);
                }
            }

            return root!;
        }
    }

    [LoggerMessage(EventId = 4821, Level = LogLevel.Information, Message = "Disclosure tree loaded: {Size} leaves")]
    private static partial void LogLoaded(ILogger logger, long size);

    [LoggerMessage(EventId = 4822, Level = LogLevel.Debug, Message = "Disclosure tree integrated {Count} leaves, now {Size}")]
    private static partial void LogIntegrated(ILogger logger, int count, long size);

    [LoggerMessage(EventId = 4823, Level = LogLevel.Error,
        Message = "Disclosure tree disagrees with the disclosure log at leaf {LeafIndex}: the tree is no longer extended or signed; check the log with 'consent verify-log'")]
    private static partial void LogDisagrees(ILogger logger, long leafIndex);

    [LoggerMessage(EventId = 4824, Level = LogLevel.Warning, Message = "Disclosure tree integration failed; it is tried again")]
    private static partial void LogIntegrationFailed(ILogger logger, Exception exception);
}
