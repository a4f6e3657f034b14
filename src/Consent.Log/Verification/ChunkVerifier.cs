using System.Numerics;
using Consent.Log.Merkle;

namespace Consent.Log.Verification;

/// <summary>
/// What one chunk of the log gave: its failures, the hashes at its edges for the chain between chunks, and its part
/// of the Merkle tree (its root, and its frontier at each tree head size inside it).
/// </summary>
internal sealed class ChunkResult
{
    public required long Start { get; init; }

    public required long End { get; init; }

    public long Rows { get; set; }

    public List<LogFailure> Failures { get; } = [];

    public long FailureCount { get; set; }

    /// <summary>The stored previous hash of the chunk's first entry, when that entry is there and well formed.</summary>
    public byte[]? FirstPrevious { get; set; }

    /// <summary>The stored hash of the chunk's last entry, when that entry is there and well formed.</summary>
    public byte[]? LastHash { get; set; }

    /// <summary>The first leaf from which the tree cannot be recomputed (a missing or malformed entry), or -1.</summary>
    public long TreeBrokenAt { get; set; } = -1;

    /// <summary>The hash of the chunk's complete subtree, when the chunk is full and its tree intact.</summary>
    public byte[]? Root { get; set; }

    /// <summary>The hashes above the chunk's level in the tree row of its last leaf, for the levels spanning chunks.</summary>
    public byte[]? UpperTreeHashes { get; set; }

    /// <summary>Tree head sizes inside the chunk, with the chunk's complete subtrees (level, hash) before that size, smallest first.</summary>
    public List<(long Size, List<(int Level, byte[] Hash)> Subtrees)> Frontiers { get; } = [];

    public void Fail(LogFailure failure, int maxFailures)
    {
        FailureCount++;
        if (Failures.Count < maxFailures)
        {
            Failures.Add(failure);
        }
    }
}

/// <summary>A chunk verifier on connections of its own, whatever store it reads.</summary>
internal interface IChunkVerifier : IDisposable
{
    ChunkResult Verify(long start, long end, Action<long> progress, CancellationToken cancellationToken);
}

/// <summary>
/// Checks the entries [start, end) of the log (leaf indexes; sequence numbers start + 1 to end) through one row
/// source: sequence numbers, the chain inside the chunk, each hash recomputed from the stored columns, and the
/// chunk's tree rows against the subtrees recomputed from those hashes. Chunks are aligned on a power of two, so a
/// chunk's subtrees are complete subtrees of the whole tree.
/// </summary>
/// <param name="source">Where the rows are read; disposed with this.</param>
internal sealed class ChunkVerifier<TRows>(ILogRowSource<TRows> source, int chunkLevel, long treeSize, long[] headSizes, int maxFailures)
    : IChunkVerifier
    where TRows : struct, ILogRows
{
    private const int ProgressStep = 8192;

    // [0x00 ‖ encoding ‖ previous hash]: grown when an entry needs more.
    private byte[] leafInput = new byte[4096];

    private readonly Sha256Hasher sha256 = new();
    private readonly byte[] nodeInput = new byte[1 + 2 * MerkleHash.Size];

    public ChunkResult Verify(long start, long end, Action<long> progress, CancellationToken cancellationToken)
    {
        var result = new ChunkResult { Start = start, End = end };
        using var entries = source.Entries(start, end);
        // No statement when the chunk is past the integrated tree (or the database has no tree table).
        var hasTree = treeSize > start;
        using var tree = hasTree ? source.Tree(start, Math.Min(end, treeSize)) : default;

        // The chunk's frontier: stack[k] is the complete subtree of level k that the next merge may take.
        var size = MerkleHash.Size;
        var stack = new byte[(chunkLevel + 1) * size];
        Span<byte> previous = stackalloc byte[size];
        Span<byte> stored = stackalloc byte[size];
        Span<byte> last = stackalloc byte[size];
        Span<byte> computed = stackalloc byte[size];
        Span<byte> node = stackalloc byte[size];
        var hasLast = start == 0; // the genesis hash precedes entry 1; other chunks are joined by the merge
        last.Clear();
        var treeBroken = false;
        var treeRow = hasTree && tree.Read();
        var headIndex = FirstHeadSizeAbove(start);
        var expected = start + 1;
        var sinceProgress = 0;

        while (entries.Read())
        {
            var sequence = entries.Int64(0);
            result.Rows++;
            if (++sinceProgress == ProgressStep)
            {
                progress(sinceProgress);
                sinceProgress = 0;
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (sequence != expected)
            {
                result.Fail(new LogFailure(LogFailureKind.SequenceGap, expected, null, null,
                    $"Entry {expected} is missing: the entry after {expected - 1} is {sequence}."), maxFailures);
                BreakTree(result, ref treeBroken, expected - 1);
                hasLast = false;
                expected = sequence;
            }

            var first = sequence == start + 1;
            if (!LowerHex.TryParseHash(entries.Bytes(14), previous)
                || !LowerHex.TryParseHash(entries.Bytes(15), stored))
            {
                result.Fail(new LogFailure(LogFailureKind.MalformedEntry, sequence, null, null,
                    $"Entry {sequence} has a previous hash or hash that is not 64 lowercase hex digits."), maxFailures);
                BreakTree(result, ref treeBroken, sequence - 1);
                hasLast = false;
                expected = sequence + 1;
                continue;
            }

            if (first)
            {
                result.FirstPrevious = previous.ToArray();
            }

            if (hasLast && !previous.SequenceEqual(last))
            {
                result.Fail(new LogFailure(LogFailureKind.Chain, sequence, null, null,
                    $"Entry {sequence}'s previous hash is not the hash of entry {sequence - 1}.",
                    Convert.ToHexStringLower(last), Convert.ToHexStringLower(previous)), maxFailures);
            }

            stored.CopyTo(last);
            hasLast = true;
            expected = sequence + 1;

            var entry = new StoredEntry
            {
                Sequence = sequence,
                RecordedAt = entries.Int64(1),
                RecipientAgencyId = entries.Bytes(2),
                ClientId = entries.Bytes(3),
                HasUserId = !entries.IsNull(4),
                UserId = entries.Bytes(4),
                SurvivorId = entries.Bytes(5),
                ResourceType = entries.Bytes(6),
                ResourceIds = entries.Bytes(7),
                PurposeOfUse = entries.Bytes(8),
                Decision = entries.Bytes(9),
                Basis = entries.Bytes(10),
                PolicyVersion = entries.Bytes(11),
                RequestId = entries.Bytes(12),
                BreakGlass = entries.Int64(13),
            };
            var room = 1 + StoredEntryEncoding.MaxEncodedLength(entry) + size;
            if (room > leafInput.Length)
            {
                leafInput = new byte[Math.Max(room, 2 * leafInput.Length)];
            }

            leafInput[0] = 0x00;
            if (!StoredEntryEncoding.TryEncode(entry, leafInput.AsSpan(1), out var written, out var problem))
            {
                result.Fail(new LogFailure(LogFailureKind.MalformedEntry, sequence, null, null,
                    $"Entry {sequence} is not a well-formed entry: {problem}."), maxFailures);
                BreakTree(result, ref treeBroken, sequence - 1);
                continue;
            }

            previous.CopyTo(leafInput.AsSpan(1 + written));
            sha256.Hash(leafInput.AsSpan(0, 1 + written + size), computed);
            if (!computed.SequenceEqual(stored))
            {
                result.Fail(new LogFailure(LogFailureKind.HashMismatch, sequence, null, null,
                    $"Entry {sequence}'s hash is not the hash of its contents: the entry was changed.",
                    Convert.ToHexStringLower(computed), Convert.ToHexStringLower(stored)), maxFailures);
            }

            if (treeBroken)
            {
                continue;
            }

            // Append the leaf: each time the new subtree is a right child, its parent closes at this leaf too.
            var leaf = sequence - 1;
            var local = leaf - start;
            ReadOnlySpan<byte> row = default;
            var hasRow = false;
            if (leaf < treeSize)
            {
                while (treeRow && tree.Int64(0) < leaf)
                {
                    treeRow = tree.Read();
                }

                if (treeRow && tree.Int64(0) == leaf)
                {
                    row = tree.Bytes(1);
                    hasRow = true;
                    var levels = BitOperations.TrailingZeroCount(~leaf);
                    if (row.Length != size * (levels + 1))
                    {
                        result.Fail(new LogFailure(LogFailureKind.TreeNode, sequence, null, null,
                            $"The tree row of leaf {leaf} (entry {sequence}) holds {row.Length} bytes, not {size * (levels + 1)}."), maxFailures);
                        hasRow = false;
                    }
                }
                else
                {
                    result.Fail(new LogFailure(LogFailureKind.TreeNode, sequence, null, null,
                        $"The tree has no row for leaf {leaf} (entry {sequence})."), maxFailures);
                }
            }

            computed.CopyTo(node);
            var level = 0;
            var mismatch = -1;
            if (hasRow && !row[..size].SequenceEqual(node))
            {
                mismatch = 0;
            }

            for (; ((local >> level) & 1) == 1; level++)
            {
                NodeHash(stack.AsSpan(level * size, size), node);
                if (hasRow && mismatch < 0 && !row.Slice((level + 1) * size, size).SequenceEqual(node))
                {
                    mismatch = level + 1;
                }
            }

            node.CopyTo(stack.AsSpan(level * size));
            if (mismatch >= 0)
            {
                var recomputed = mismatch == 0 ? computed.ToArray() : null;
                result.Fail(new LogFailure(LogFailureKind.TreeNode, sequence, null, null,
                    mismatch == 0
                        ? $"The tree row of leaf {leaf} (entry {sequence}) holds another leaf hash than the entry's."
                        : $"The tree row of leaf {leaf} (entry {sequence}) holds another hash at level {mismatch} than the entries give.",
                    recomputed is null ? null : Convert.ToHexStringLower(recomputed),
                    Convert.ToHexStringLower(row.Slice(mismatch * size, size))), maxFailures);
            }

            if (local + 1 == 1L << chunkLevel)
            {
                result.Root = stack.AsSpan(chunkLevel * size, size).ToArray();
                if (hasRow && row.Length > (chunkLevel + 1) * size)
                {
                    result.UpperTreeHashes = row[((chunkLevel + 1) * size)..].ToArray();
                }
            }

            while (headIndex < headSizes.Length && headSizes[headIndex] == sequence)
            {
                result.Frontiers.Add((sequence, Frontier(stack, local + 1)));
                headIndex++;
            }
        }

        if (expected <= end)
        {
            result.Fail(new LogFailure(LogFailureKind.SequenceGap, expected, null, null,
                $"Entries {expected} to {end} are missing."), maxFailures);
            BreakTree(result, ref treeBroken, expected - 1);
        }

        if (hasLast && expected == end + 1)
        {
            result.LastHash = last.ToArray();
        }

        if (treeBroken)
        {
            result.Root = null;
        }

        progress(sinceProgress);
        return result;
    }

    /// <summary>node = SHA-256(0x01 ‖ left ‖ node), as <see cref="MerkleHash.NodeHash(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>.</summary>
    private void NodeHash(ReadOnlySpan<byte> left, Span<byte> node)
    {
        nodeInput[0] = 0x01;
        left.CopyTo(nodeInput.AsSpan(1));
        node.CopyTo(nodeInput.AsSpan(1 + MerkleHash.Size));
        sha256.Hash(nodeInput, node);
    }

    public void Dispose()
    {
        sha256.Dispose();
        source.Dispose();
    }

    private static void BreakTree(ChunkResult result, ref bool treeBroken, long leaf)
    {
        if (!treeBroken)
        {
            treeBroken = true;
            result.TreeBrokenAt = leaf;
        }
    }

    /// <summary>The complete subtrees of the chunk's first <paramref name="count"/> leaves, smallest first.</summary>
    private static List<(int Level, byte[] Hash)> Frontier(byte[] stack, long count)
    {
        var subtrees = new List<(int, byte[])>();
        for (var level = 0; count >> level != 0; level++)
        {
            if (((count >> level) & 1) == 1)
            {
                subtrees.Add((level, stack.AsSpan(level * MerkleHash.Size, MerkleHash.Size).ToArray()));
            }
        }

        return subtrees;
    }

    private int FirstHeadSizeAbove(long start)
    {
        var index = Array.BinarySearch(headSizes, start + 1);
        return index >= 0 ? index : ~index;
    }
}
