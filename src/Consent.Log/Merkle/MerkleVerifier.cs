namespace Consent.Log.Merkle;

/// <summary>
/// Checks inclusion and consistency proofs exactly as RFC 9162 sections 2.1.3.2 and 2.1.4.2 describe, step by
/// step, independently of how <see cref="MerkleTree"/> makes them. A proof only binds leaves and sizes to a root;
/// that the root and its size are the log's is what a signed tree head attests.
/// </summary>
public static class MerkleVerifier
{
    /// <summary>
    /// True when <paramref name="proof"/> proves that the leaf with hash <paramref name="leafHash"/> is leaf
    /// <paramref name="leafIndex"/> (from 0) of the tree of <paramref name="treeSize"/> leaves whose root is
    /// <paramref name="rootHash"/>.
    /// </summary>
    public static bool VerifyInclusion(
        long leafIndex, long treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> rootHash)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (leafIndex < 0 || leafHash.Length != MerkleHash.Size || rootHash.Length != MerkleHash.Size || !AllHashes(proof))
        {
            return false;
        }

        // 1. If leaf_index >= tree_size, fail.
        if (leafIndex >= treeSize)
        {
            return false;
        }

        // 2. Set fn to leaf_index and sn to tree_size - 1.
        var fn = leafIndex;
        var sn = treeSize - 1;

        // 3. Set r to hash.
        Span<byte> r = stackalloc byte[MerkleHash.Size];
        leafHash.CopyTo(r);

        // 4. For each value p in the inclusion_path array:
        foreach (var p in proof)
        {
            // If sn is 0, stop the iteration and fail.
            if (sn == 0)
            {
                return false;
            }

            // If LSB(fn) is set, or if fn is equal to sn:
            if ((fn & 1) == 1 || fn == sn)
            {
                // Set r to HASH(0x01 || p || r).
                MerkleHash.NodeHash(p, r, r);

                // If LSB(fn) is not set, right-shift fn and sn equally until either LSB(fn) is set or fn is 0.
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                // Otherwise set r to HASH(0x01 || r || p).
                MerkleHash.NodeHash(r, p, r);
            }

            // Finally, right-shift both fn and sn one time.
            fn >>= 1;
            sn >>= 1;
        }

        // 5. Succeed only if sn is 0 and r equals root_hash.
        return sn == 0 && r.SequenceEqual(rootHash);
    }

    /// <summary>
    /// True when <paramref name="proof"/> proves that the tree of <paramref name="firstSize"/> leaves with root
    /// <paramref name="firstRoot"/> is a prefix of the tree of <paramref name="secondSize"/> leaves with root
    /// <paramref name="secondRoot"/>. The RFC covers 0 &lt; first &lt; second; for equal sizes the proof must be
    /// empty and the roots equal, and for a first size of 0 the proof must be empty and the first root the empty
    /// tree's.
    /// </summary>
    public static bool VerifyConsistency(
        long firstSize, long secondSize, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (firstSize < 0 || firstSize > secondSize || firstRoot.Length != MerkleHash.Size
            || secondRoot.Length != MerkleHash.Size || !AllHashes(proof))
        {
            return false;
        }

        if (firstSize == secondSize)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (firstSize == 0)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(MerkleHash.EmptyRoot);
        }

        // 1. If consistency_path is an empty array, fail.
        if (proof.Count == 0)
        {
            return false;
        }

        // 2. If first is an exact power of 2, prepend first_hash to the consistency_path array.
        var prependFirst = (firstSize & (firstSize - 1)) == 0;
        var path = new ConsistencyPath(prependFirst, firstRoot.ToArray(), proof);

        // 3. Set fn to first - 1 and sn to second - 1.
        var fn = firstSize - 1;
        var sn = secondSize - 1;

        // 4. If LSB(fn) is set, right-shift both fn and sn equally until LSB(fn) is not set.
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // 5. Set both fr and sr to the first value in the consistency_path array.
        Span<byte> fr = stackalloc byte[MerkleHash.Size];
        Span<byte> sr = stackalloc byte[MerkleHash.Size];
        path[0].CopyTo(fr);
        path[0].CopyTo(sr);

        // 6. For each subsequent value c in the consistency_path array:
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];

            // If sn is 0, stop the iteration and fail.
            if (sn == 0)
            {
                return false;
            }

            // If LSB(fn) is set, or if fn is equal to sn:
            if ((fn & 1) == 1 || fn == sn)
            {
                // Set fr to HASH(0x01 || c || fr) and sr to HASH(0x01 || c || sr).
                MerkleHash.NodeHash(c, fr, fr);
                MerkleHash.NodeHash(c, sr, sr);

                // If LSB(fn) is not set, right-shift fn and sn equally until either LSB(fn) is set or fn is 0.
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                // Otherwise set sr to HASH(0x01 || sr || c).
                MerkleHash.NodeHash(sr, c, sr);
            }

            // Finally, right-shift both fn and sn one time.
            fn >>= 1;
            sn >>= 1;
        }

        // 7. Succeed only if fr equals first_hash, sr equals second_hash, and sn is 0.
        return fr.SequenceEqual(firstRoot) && sr.SequenceEqual(secondRoot) && sn == 0;
    }

    private static bool AllHashes(IReadOnlyList<byte[]> proof)
    {
        foreach (var element in proof)
        {
            if (element is null || element.Length != MerkleHash.Size)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The consistency path, with the first root in front when step 2 says so, without copying the proof.</summary>
    private readonly struct ConsistencyPath(bool prependFirst, byte[] firstRoot, IReadOnlyList<byte[]> proof)
    {
        public int Count => proof.Count + (prependFirst ? 1 : 0);

        public byte[] this[int index] => prependFirst ? (index == 0 ? firstRoot : proof[index - 1]) : proof[index];
    }
}
