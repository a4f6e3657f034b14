using System.Numerics;

namespace Consent.Log.Merkle;

/// <summary>
/// Roots, inclusion proofs and consistency proofs of RFC 9162 section 2.1, for the first n leaves of a tree whose
/// complete subtree hashes an <see cref="ISubtreeHashes"/> answers.
/// </summary>
/// <remarks>
/// The RFC defines them by recursion on MTH(D[a:b]); every range that recursion visits starts at a multiple of a
/// power of two at least as large as the range, so it is the concatenation of complete aligned subtrees, one per
/// set bit of its size, largest first, and its hash folds them from the right. A root therefore costs at most
/// 63 subtree look-ups and node hashes, and a proof (at most 63 elements, each such a range) O(log² n): never a
/// walk over the leaves.
/// </remarks>
public static class MerkleTree
{
    /// <summary>MTH(D[0:size]), the root of the tree of the first <paramref name="size"/> leaves.</summary>
    public static byte[] RootHash(ISubtreeHashes tree, long size)
    {
        CheckSize(tree, size, nameof(size));
        var root = new byte[MerkleHash.Size];
        RangeHash(tree, 0, size, root);
        return root;
    }

    /// <summary>
    /// PATH(m, D[0:size]) (RFC 9162 section 2.1.3.1): the audit path of leaf <paramref name="leafIndex"/> (from 0)
    /// in the tree of the first <paramref name="size"/> leaves, from the leaf's sibling up to the root's child.
    /// </summary>
    public static byte[][] InclusionProof(ISubtreeHashes tree, long leafIndex, long size)
    {
        CheckSize(tree, size, nameof(size));
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, size);

        // Walks the RFC's recursion from the root down; the recursion emits the deepest sibling first.
        var path = new List<byte[]>();
        long start = 0, count = size, index = leafIndex;
        while (count > 1)
        {
            var k = LargestPowerOfTwoBelow(count);
            if (index < k)
            {
                path.Add(RangeHash(tree, start + k, count - k));
                count = k;
            }
            else
            {
                path.Add(RangeHash(tree, start, k));
                start += k;
                index -= k;
                count -= k;
            }
        }

        path.Reverse();
        return [.. path];
    }

    /// <summary>
    /// PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true) (RFC 9162 section 2.1.4.1): proves the tree of the first
    /// <paramref name="firstSize"/> leaves is a prefix of the tree of the first <paramref name="secondSize"/>.
    /// Empty when the sizes are equal or the first is 0 (the RFC defines proofs for 0 &lt; m &lt; n only).
    /// </summary>
    public static byte[][] ConsistencyProof(ISubtreeHashes tree, long firstSize, long secondSize)
    {
        CheckSize(tree, secondSize, nameof(secondSize));
        ArgumentOutOfRangeException.ThrowIfNegative(firstSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSize, secondSize);
        if (firstSize == 0 || firstSize == secondSize)
        {
            return [];
        }

        // SUBPROOF(m, D[start:start+count], b), unrolled: each step appends the hash the recursion emits after
        // its sub-result, so the collected hashes come out in reverse, after the terminal one.
        var outer = new List<byte[]>();
        long start = 0, count = secondSize, m = firstSize;
        var isFirstRoot = true;
        while (m != count)
        {
            var k = LargestPowerOfTwoBelow(count);
            if (m <= k)
            {
                outer.Add(RangeHash(tree, start + k, count - k));
                count = k;
            }
            else
            {
                outer.Add(RangeHash(tree, start, k));
                start += k;
                m -= k;
                count -= k;
                isFirstRoot = false;
            }
        }

        var proof = new List<byte[]>(outer.Count + 1);
        if (!isFirstRoot)
        {
            // SUBPROOF(m, D[m], false) = [MTH(D[m])]: a subtree the verifier cannot know, unlike the first root.
            proof.Add(RangeHash(tree, start, m));
        }

        outer.Reverse();
        proof.AddRange(outer);
        return [.. proof];
    }

    private static byte[] RangeHash(ISubtreeHashes tree, long start, long count)
    {
        var hash = new byte[MerkleHash.Size];
        RangeHash(tree, start, count, hash);
        return hash;
    }

    /// <summary>
    /// MTH(D[start:start+count]) for a range that starts at a multiple of a power of two at least
    /// <paramref name="count"/>: the right fold, over its complete subtrees, of the node hash.
    /// </summary>
    private static void RangeHash(ISubtreeHashes tree, long start, long count, Span<byte> destination)
    {
        if (count == 0)
        {
            MerkleHash.EmptyRoot.CopyTo(destination);
            return;
        }

        // The smallest subtree comes last in the range; fold towards the largest, which comes first.
        var level = BitOperations.TrailingZeroCount(count);
        var remaining = count;
        tree.CopySubtreeHash(start + remaining - (1L << level), level, destination);
        remaining -= 1L << level;
        Span<byte> subtree = stackalloc byte[MerkleHash.Size];
        while (remaining != 0)
        {
            level = BitOperations.TrailingZeroCount(remaining);
            tree.CopySubtreeHash(start + remaining - (1L << level), level, subtree);
            MerkleHash.NodeHash(subtree, destination, destination);
            remaining -= 1L << level;
        }
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n ≥ 2): the RFC's k.</summary>
    private static long LargestPowerOfTwoBelow(long n) => 1L << BitOperations.Log2((ulong)(n - 1));

    private static void CheckSize(ISubtreeHashes tree, long size, string name)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentOutOfRangeException.ThrowIfNegative(size, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, tree.Count, name);
    }
}
