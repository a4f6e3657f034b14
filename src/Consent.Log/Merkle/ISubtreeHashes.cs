namespace Consent.Log.Merkle;

/// <summary>
/// The hashes of the complete, aligned subtrees of a log's Merkle tree: for a level k, the subtree of the 2^k
/// leaves [start, start + 2^k) where start is a multiple of 2^k. Every root and proof of
/// <see cref="MerkleTree"/> is assembled from these, so a store that keeps them never rehashes the log.
/// </summary>
public interface ISubtreeHashes
{
    /// <summary>The number of leaves.</summary>
    long Count { get; }

    /// <summary>
    /// Writes the hash of the complete subtree [<paramref name="start"/>, start + 2^<paramref name="level"/>) to
    /// <paramref name="destination"/> (32 bytes). Level 0 is a leaf hash. The start is a multiple of 2^level and
    /// the subtree lies within the first <see cref="Count"/> leaves.
    /// </summary>
    void CopySubtreeHash(long start, int level, Span<byte> destination);
}
