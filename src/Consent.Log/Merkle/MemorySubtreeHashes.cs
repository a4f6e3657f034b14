namespace Consent.Log.Merkle;

/// <summary>
/// Complete-subtree hashes kept in memory: the leaf hashes, and at each level above the hash of every complete
/// aligned subtree, made as soon as its last leaf is appended (O(log n) node hashes per append).
/// About 64 bytes per leaf; for tests, tools and verifiers that rebuild a tree, not for the live log.
/// </summary>
public sealed class MemorySubtreeHashes : ISubtreeHashes
{
    // levels[k] holds the hashes of the subtrees [i·2^k, (i+1)·2^k), back to back.
    private readonly List<HashList> levels = [new HashList()];

    public long Count => levels[0].Count;

    /// <summary>Appends a leaf by its input (hashed as SHA-256(0x00 ‖ input)).</summary>
    public void AppendLeaf(ReadOnlySpan<byte> leafInput)
    {
        Span<byte> hash = stackalloc byte[MerkleHash.Size];
        MerkleHash.LeafHash(leafInput, hash);
        AppendLeafHash(hash);
    }

    /// <summary>Appends a leaf by its leaf hash.</summary>
    public void AppendLeafHash(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException("A leaf hash is a SHA-256.", nameof(leafHash));
        }

        levels[0].Add(leafHash);
        // Each time the new subtree is a right child, its parent is complete too.
        Span<byte> node = stackalloc byte[MerkleHash.Size];
        var index = levels[0].Count - 1;
        for (var level = 0; (index & 1) == 1; level++, index >>= 1)
        {
            MerkleHash.NodeHash(levels[level][index - 1], levels[level][index], node);
            if (levels.Count == level + 1)
            {
                levels.Add(new HashList());
            }

            levels[level + 1].Add(node);
        }
    }

    public void CopySubtreeHash(long start, int level, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(level, 63);
        var index = start >> level;
        if (index << level != start)
        {
            throw new ArgumentException("A complete subtree starts at a multiple of its size.", nameof(start));
        }

        if (level >= levels.Count || index >= levels[level].Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), "The subtree is not complete in this tree.");
        }

        levels[level][index].CopyTo(destination);
    }

    /// <summary>32-byte hashes stored back to back in one growing array.</summary>
    private sealed class HashList
    {
        private byte[] bytes = new byte[16 * MerkleHash.Size];

        public long Count { get; private set; }

        public ReadOnlySpan<byte> this[long index] => bytes.AsSpan(checked((int)(index * MerkleHash.Size)), MerkleHash.Size);

        public void Add(ReadOnlySpan<byte> hash)
        {
            var offset = checked((int)(Count * MerkleHash.Size));
            if (offset == bytes.Length)
            {
                var grown = Math.Min(2L * bytes.Length, Array.MaxLength / MerkleHash.Size * MerkleHash.Size);
                if (grown == bytes.Length)
                {
                    throw new InvalidOperationException("The tree is too large to keep in memory.");
                }

                Array.Resize(ref bytes, (int)grown);
            }

            hash.CopyTo(bytes.AsSpan(offset));
            Count++;
        }
    }
}
