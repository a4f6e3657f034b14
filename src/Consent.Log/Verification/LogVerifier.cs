using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Security.Cryptography;
using Consent.Log.Merkle;
using Consent.Log.TreeHeads;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Consent.Log.Verification;

/// <summary>
/// Verifies a disclosure log stored in SQLite or PostgreSQL from its rows alone, without the API: every entry's sequence number,
/// previous hash and hash (recomputed from the stored columns through the canonical encoding), the Merkle tree
/// recomputed from those hashes against every row of <c>DisclosureTree</c>, and every signed tree head (stored, or
/// supplied by the caller) against its key and the recomputed root at its size.
/// </summary>
/// <remarks>
/// The log is read in chunks of 2^16 entries aligned on leaf indexes, on as many connections as there are cores
/// (<see cref="SqliteRowSource"/> or <see cref="PostgresRowSource"/>: the checks are the same code for both);
/// each chunk yields its failures, the hashes at its edges and its complete subtree, and the chunks are then joined
/// in order (the chain across chunk edges, the tree levels above a chunk, the roots at tree head sizes). Memory
/// stays O(chunks + log n) whatever the log's size.
/// </remarks>
public static class LogVerifier
{
    /// <summary>Opens the database file read-only and verifies the log in it.</summary>
    /// <exception cref="LogDatabaseException">The file is missing, unreadable, or holds no disclosure log.</exception>
    public static LogVerificationResult VerifyFile(string databasePath, LogVerifierOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        if (!File.Exists(databasePath))
        {
            throw new LogDatabaseException($"There is no database file at {databasePath}.");
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        using var connection = Open(connectionString);
        options ??= new LogVerifierOptions();
        return Verify(connection, options.MaxParallelism, () => new SqliteRowSource(OpenForReading(databasePath), ownConnection: true), options, cancellationToken);
    }

    /// <summary>
    /// Verifies the log through an open SQLite connection (a <see cref="SqliteConnection"/>), on that connection
    /// only: for a service checking its own database while it runs.
    /// </summary>
    public static LogVerificationResult Verify(DbConnection connection, LogVerifierOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection is not SqliteConnection sqlite || sqlite.State != ConnectionState.Open)
        {
            throw new ArgumentException("The log verifier reads an open SQLite connection (Microsoft.Data.Sqlite).", nameof(connection));
        }

        return Verify(sqlite, 1, () => new SqliteRowSource(sqlite.Handle!, ownConnection: false), options ?? new LogVerifierOptions(), cancellationToken);
    }

    /// <summary>
    /// Verifies the log in a PostgreSQL database (a read-only role is enough): the same checks as on SQLite, the entries
    /// streamed in chunks over connections of the verifier's own (two per reading thread: entries and tree rows).
    /// </summary>
    /// <exception cref="LogDatabaseException">The server cannot be reached, or the database holds no disclosure log.</exception>
    public static LogVerificationResult VerifyPostgres(string connectionString, LogVerifierOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        using var source = PostgresRowSource.DataSource(connectionString);
        using var connection = PostgresRowSource.Open(source);
        options ??= new LogVerifierOptions();
        return Verify(connection, options.MaxParallelism, () => new PostgresRowSource(source), options, cancellationToken);
    }

    /// <param name="connection">Where the sizes, heads and keys are read.</param>
    /// <param name="parallelism">Reading threads at most; with 1, the chunks are read in order on the calling thread.</param>
    /// <param name="openSource">A row source for one reading thread.</param>
    private static LogVerificationResult Verify(
        DbConnection connection, int parallelism, Func<IChunkRowSource> openSource, LogVerifierOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<LogFailure>();
        long failureCount = 0;
        void Fail(LogFailure failure)
        {
            failureCount++;
            failures.Add(failure);
        }

        var metadata = LogMetadata.Read(connection, Fail);
        options.LogSizeKnown?.Invoke(metadata.LogSize);
        var keys = options.TrustedKeys is { } trusted ? PublicKeys(trusted) : PublicKeys(metadata.StoredKeys);
        Task<string?[]>? signatures = null;
        try
        {
            // Signatures need no entry: check them on the side while the entries stream.
            var heads = metadata.Heads;
            signatures = Task.Run(() => CheckSignatures(heads, options.TrustedHeads, keys), CancellationToken.None);

            var headSizes = heads.Select(h => h.Head.TreeSize).Concat(options.TrustedHeads.Select(h => h.Head.TreeSize))
                .Where(size => size > 0 && size <= metadata.LogSize).Distinct().Order().ToArray();
            var chunks = StreamEntries(parallelism, openSource, metadata, headSizes, options, cancellationToken);
            var roots = Join(chunks, options.ChunkLevel, Fail);

            var entryFailures = chunks.SelectMany(c => c.Failures).Concat(failures)
                .OrderBy(f => f.Sequence ?? long.MaxValue).ThenBy(f => f.Kind).ToList();
            failureCount += chunks.Sum(c => c.FailureCount);
            failures = entryFailures;

            var headFailures = new List<LogFailure>();
            CheckHeads(heads, options.TrustedHeads, signatures.GetAwaiter().GetResult(), roots, metadata.LogSize, headFailures);
            failureCount += headFailures.Count;
            failures.AddRange(headFailures);

            return new LogVerificationResult(
                chunks.Sum(c => c.Rows), metadata.LogSize, metadata.TreeSize, heads.Count, options.TrustedHeads.Count,
                failureCount, failures.Take(options.MaxFailures).ToList(), clock.Elapsed);
        }
        finally
        {
            // The keys are disposed only once the signature checks are done with them.
            try
            {
                signatures?.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Already thrown from GetResult above, or moot since reading the entries failed.
            }

            foreach (var key in keys.Values)
            {
                key.Dispose();
            }
        }
    }

    private static ChunkResult[] StreamEntries(
        int parallelism, Func<IChunkRowSource> openSource, LogMetadata metadata, long[] headSizes,
        LogVerifierOptions options, CancellationToken cancellationToken)
    {
        var chunkLevel = options.ChunkLevel;
        var chunkSize = 1L << chunkLevel;
        var chunkCount = checked((int)((metadata.LogSize + chunkSize - 1) / chunkSize));
        var results = new ChunkResult[chunkCount];
        long checkedSoFar = 0;
        void Progress(long rows)
        {
            if (options.Progress is { } progress && rows > 0)
            {
                progress.Report(Interlocked.Add(ref checkedSoFar, rows));
            }
        }

        ChunkResult VerifyChunk(IChunkVerifier verifier, int chunk) =>
            verifier.Verify(chunk * chunkSize, Math.Min((chunk + 1) * chunkSize, metadata.LogSize), Progress, cancellationToken);

        IChunkVerifier Verifier() => openSource().Verifier(chunkLevel, metadata.TreeSize, headSizes, options.MaxFailures);
        if (parallelism <= 1)
        {
            using var verifier = Verifier();
            for (var chunk = 0; chunk < chunkCount; chunk++)
            {
                results[chunk] = VerifyChunk(verifier, chunk);
            }

            return results;
        }

        // A row source per thread; chunks are taken in order, so the threads read neighbouring parts of the log.
        parallelism = Math.Max(1, Math.Min(parallelism, chunkCount));
        var next = -1;
        Exception? error = null;
        var threads = Enumerable.Range(0, parallelism).Select(_ => new Thread(() =>
        {
            try
            {
                using var verifier = Verifier();
                for (var chunk = Interlocked.Increment(ref next); chunk < chunkCount && Volatile.Read(ref error) is null;
                     chunk = Interlocked.Increment(ref next))
                {
                    results[chunk] = VerifyChunk(verifier, chunk);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref error, e, null);
            }
        }) { IsBackground = true, Name = "log verifier" }).ToList();
        foreach (var thread in threads)
        {
            thread.UnsafeStart();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return results;
    }

    /// <summary>
    /// Joins the chunks in order: the chain across their edges, the tree levels above a chunk against the tree row
    /// of its last leaf, and the root at each tree head size. Returns the roots by size.
    /// </summary>
    private static Dictionary<long, byte[]> Join(ChunkResult[] chunks, int chunkLevel, Action<LogFailure> fail)
    {
        var size = MerkleHash.Size;
        var roots = new Dictionary<long, byte[]> { [0] = MerkleHash.EmptyRoot.ToArray() };
        var global = new List<byte[]?>(); // global[k]: complete subtree of level chunkLevel + k awaiting its right sibling
        var treeIntact = true;
        Span<byte> node = stackalloc byte[size];
        for (var c = 0; c < chunks.Length; c++)
        {
            var chunk = chunks[c];
            if (c > 0 && chunk.FirstPrevious is { } first && chunks[c - 1].LastHash is { } before && !first.AsSpan().SequenceEqual(before))
            {
                fail(new LogFailure(LogFailureKind.Chain, chunk.Start + 1, null, null,
                    $"Entry {chunk.Start + 1}'s previous hash is not the hash of entry {chunk.Start}.",
                    Convert.ToHexStringLower(before), Convert.ToHexStringLower(first)));
            }

            if (!treeIntact)
            {
                continue;
            }

            foreach (var (headSize, subtrees) in chunk.Frontiers)
            {
                var root = subtrees[0].Hash.ToArray();
                foreach (var (_, hash) in subtrees.Skip(1))
                {
                    MerkleHash.NodeHash(hash, root, root);
                }

                for (var k = 0; k < global.Count; k++)
                {
                    if (((c >> k) & 1) == 1)
                    {
                        MerkleHash.NodeHash(global[k]!, root, root);
                    }
                }

                roots[headSize] = root;
            }

            if (chunk.TreeBrokenAt >= 0 || chunk.Root is null)
            {
                treeIntact = false;
                continue;
            }

            // The chunk's subtree closes the subtrees above it for every trailing 1-bit of its index.
            chunk.Root.CopyTo(node);
            var k2 = 0;
            for (; ((c >> k2) & 1) == 1; k2++)
            {
                MerkleHash.NodeHash(global[k2]!, node, node);
                var stored = chunk.UpperTreeHashes;
                if (stored is not null && stored.Length >= (k2 + 1) * size && !stored.AsSpan(k2 * size, size).SequenceEqual(node))
                {
                    var leaf = chunk.End - 1;
                    fail(new LogFailure(LogFailureKind.TreeNode, leaf + 1, null, null,
                        $"The tree row of leaf {leaf} (entry {leaf + 1}) holds another hash at level {chunkLevel + k2 + 1} than the entries give.",
                        Convert.ToHexStringLower(node), Convert.ToHexStringLower(stored.AsSpan(k2 * size, size))));
                }

                global[k2] = null;
            }

            while (global.Count <= k2)
            {
                global.Add(null);
            }

            global[k2] = node.ToArray();
        }

        return roots;
    }

    private static Dictionary<string, ECDsa> PublicKeys(IEnumerable<byte[]> subjectPublicKeyInfos)
    {
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        foreach (var spki in subjectPublicKeyInfos)
        {
            var id = TreeHeadSignature.KeyIdOf(spki);
            if (!keys.ContainsKey(id) && TreeHeadSignature.ImportPublicKey(spki) is { } key)
            {
                keys[id] = key;
            }
        }

        return keys;
    }

    /// <summary>Per head (stored, then supplied): null when its signature verifies, else why not.</summary>
    private static string?[] CheckSignatures(IReadOnlyList<StoredHead> heads, IReadOnlyList<TrustedTreeHead> trusted, Dictionary<string, ECDsa> keys)
    {
        var all = heads.Select(h => h.Head).Concat(trusted.Select(t => t.Head)).ToArray();
        var problems = new string?[all.Length];
        for (var i = 0; i < all.Length; i++)
        {
            problems[i] = !keys.TryGetValue(all[i].KeyId, out var key)
                ? $"it names key {all[i].KeyId}, which is not a trusted key"
                : TreeHeadSignature.Verify(key, all[i]) ? null : "its signature does not verify";
        }

        return problems;
    }

    private static void CheckHeads(
        IReadOnlyList<StoredHead> heads, IReadOnlyList<TrustedTreeHead> trusted, string?[] signatureProblems,
        Dictionary<long, byte[]> roots, long logSize, List<LogFailure> failures)
    {
        var rootsSeen = new Dictionary<long, (string Who, byte[] Root)>();
        StoredHead? before = null;
        for (var i = 0; i < heads.Count + trusted.Count; i++)
        {
            var stored = i < heads.Count ? heads[i] : null;
            var head = stored?.Head ?? trusted[i - heads.Count].Head;
            var who = stored is not null ? $"Tree head {stored.Id}" : $"Tree head {trusted[i - heads.Count].Name}";
            LogFailure Failure(LogFailureKind kind, string message, byte[]? expected = null, byte[]? found = null) =>
                new(kind, null, stored?.Id, stored is null ? trusted[i - heads.Count].Name : null, message,
                    expected is null ? null : Convert.ToHexStringLower(expected), found is null ? null : Convert.ToHexStringLower(found));

            if (stored is not null)
            {
                if (stored.Id != (before?.Id ?? 0) + 1)
                {
                    failures.Add(Failure(LogFailureKind.TreeHeadOrder, $"{who} follows tree head {before?.Id ?? 0}: heads {(before?.Id ?? 0) + 1} to {stored.Id - 1} are missing."));
                }

                if (before is not null && (head.TreeSize < before.Head.TreeSize || head.Timestamp < before.Head.Timestamp))
                {
                    failures.Add(Failure(LogFailureKind.TreeHeadOrder,
                        $"{who} (size {head.TreeSize}) has a smaller size or an earlier time than tree head {before.Id} (size {before.Head.TreeSize})."));
                }

                before = stored;
            }

            var signatureProblem = signatureProblems[i];
            if (head.TreeSize > logSize)
            {
                failures.Add(Failure(
                    signatureProblem is null ? LogFailureKind.Fork : LogFailureKind.TreeHeadOrder,
                    signatureProblem is null
                        ? $"{who} is validly signed for size {head.TreeSize}, but the log has only {logSize} entries: entries were removed, or the log showed another history."
                        : $"{who} has size {head.TreeSize}, above the log's {logSize} entries, and {signatureProblem}."));
                continue;
            }

            if (signatureProblem is null)
            {
                // Two validly signed heads of one size must agree, whether or not the log still has that root.
                if (rootsSeen.TryGetValue(head.TreeSize, out var seen) && !seen.Root.AsSpan().SequenceEqual(head.RootHash))
                {
                    failures.Add(Failure(LogFailureKind.Fork,
                        $"{who} and {seen.Who.ToLowerInvariant()} are both validly signed for size {head.TreeSize} with different roots (split view).",
                        seen.Root, head.RootHash));
                    continue;
                }

                rootsSeen.TryAdd(head.TreeSize, (who, head.RootHash));
            }

            if (!roots.TryGetValue(head.TreeSize, out var root))
            {
                // The tree could not be recomputed up to this size (a missing or malformed entry, already reported).
                if (signatureProblem is not null)
                {
                    failures.Add(Failure(LogFailureKind.TreeHeadSignature, $"{who} (size {head.TreeSize}): {signatureProblem}."));
                }

                continue;
            }

            var rootHolds = head.RootHash.AsSpan().SequenceEqual(root);
            if (rootHolds && signatureProblem is not null)
            {
                failures.Add(Failure(LogFailureKind.TreeHeadSignature, $"{who} (size {head.TreeSize}): {signatureProblem}."));
            }
            else if (!rootHolds && signatureProblem is not null)
            {
                failures.Add(Failure(LogFailureKind.TreeHeadRoot,
                    $"{who}'s root is not the log's root at size {head.TreeSize}, and {signatureProblem}.", root, head.RootHash));
            }
            else if (!rootHolds)
            {
                failures.Add(Failure(LogFailureKind.Fork,
                    $"{who} is validly signed over a root the log does not have at size {head.TreeSize}: the log was rewritten after signing, or showed another history (split view).",
                    root, head.RootHash));
            }
        }
    }

    /// <summary>
    /// A read-only connection of the reading thread's own, without SQLite's per-connection mutex (each is used by
    /// one thread only; the mutex costs a lock on every column read).
    /// </summary>
    private static sqlite3 OpenForReading(string path)
    {
        var code = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
        if (code != raw.SQLITE_OK)
        {
            var message = raw.sqlite3_errstr(code).utf8_to_string();
            db.Dispose();
            throw new LogDatabaseException($"The database cannot be opened: {message}.");
        }

        raw.sqlite3_busy_timeout(db, 5000);
        return db;
    }

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new LogDatabaseException($"The database cannot be opened: {e.Message}", e);
        }
    }
}
