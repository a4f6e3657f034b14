using System.Security.Cryptography;
using Consent.Log.Merkle;

namespace Consent.Log.Tests;

/// <summary>
/// The disclosure log's Merkle tree (RFC 9162 section 2.1): roots and proofs against a reference written from the
/// RFC's recursive definitions, the verifier against honest and tampered proofs, and the Certificate Transparency
/// reference vectors.
/// </summary>
public sealed class MerkleTreeTests
{
    // --- an independent reference: RFC 9162 section 2.1, recursion over a list of leaf inputs, nothing shared ---

    private static class Reference
    {
        private static byte[] Sha256(params byte[][] parts) => SHA256.HashData(parts.SelectMany(p => p).ToArray());

        private static int K(int n)
        {
            var k = 1;
            while (k * 2 < n)
            {
                k *= 2;
            }

            return k;
        }

        // MTH({}) = SHA-256(); MTH({d(0)}) = SHA-256(0x00 || d(0)); MTH(D_n) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
        public static byte[] Mth(IReadOnlyList<byte[]> d) => d.Count switch
        {
            0 => Sha256(),
            1 => Sha256([0x00], d[0]),
            _ => Sha256([0x01], Mth(d.Take(K(d.Count)).ToList()), Mth(d.Skip(K(d.Count)).ToList())),
        };

        // PATH(0, {d(0)}) = {}; PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).
        public static List<byte[]> Path(int m, IReadOnlyList<byte[]> d)
        {
            if (d.Count == 1)
            {
                return [];
            }

            var k = K(d.Count);
            var left = d.Take(k).ToList();
            var right = d.Skip(k).ToList();
            return m < k ? [.. Path(m, left), Mth(right)] : [.. Path(m - k, right), Mth(left)];
        }

        // PROOF(m, D_n) = SUBPROOF(m, D_n, true).
        public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d) => SubProof(m, d, true);

        // SUBPROOF(m, D_m, true) = {}; SUBPROOF(m, D_m, false) = {MTH(D_m)};
        // for m < n: m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]); m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
        private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, bool b)
        {
            if (m == d.Count)
            {
                return b ? [] : [Mth(d)];
            }

            var k = K(d.Count);
            var left = d.Take(k).ToList();
            var right = d.Skip(k).ToList();
            return m <= k ? [.. SubProof(m, left, b), Mth(right)] : [.. SubProof(m - k, right, false), Mth(left)];
        }
    }

    private static List<byte[]> Inputs(int n) =>
        Enumerable.Range(0, n).Select(i => new[] { (byte)i, (byte)(i >> 8), (byte)(i * 7) }).ToList();

    private static MemorySubtreeHashes Tree(IEnumerable<byte[]> inputs)
    {
        var tree = new MemorySubtreeHashes();
        foreach (var input in inputs)
        {
            tree.AppendLeaf(input);
        }

        return tree;
    }

    private static void ShouldBeSameHashes(IReadOnlyList<byte[]> actual, IReadOnlyList<byte[]> expected, string what) =>
        actual.Select(Convert.ToHexStringLower).ShouldBe(expected.Select(Convert.ToHexStringLower), what);

    private static void CompareWithReference(List<byte[]> inputs, MemorySubtreeHashes tree, IEnumerable<int> sizes, Func<int, IEnumerable<int>> ms)
    {
        foreach (var n in sizes)
        {
            var prefix = inputs.Take(n).ToList();
            Convert.ToHexStringLower(MerkleTree.RootHash(tree, n)).ShouldBe(Convert.ToHexStringLower(Reference.Mth(prefix)), $"MTH of {n}");
            foreach (var m in ms(n))
            {
                if (m < n)
                {
                    ShouldBeSameHashes(MerkleTree.InclusionProof(tree, m, n), Reference.Path(m, prefix), $"PATH({m}, D[{n}])");
                }

                if (m > 0 && m < n)
                {
                    ShouldBeSameHashes(MerkleTree.ConsistencyProof(tree, m, n), Reference.Proof(m, prefix), $"PROOF({m}, D[{n}])");
                }
            }
        }
    }

    [Fact]
    public void RootsAndProofs_ForEverySizeUpTo64_MatchTheRfcDefinitions()
    {
        var inputs = Inputs(64);
        var tree = Tree(inputs);

        CompareWithReference(inputs, tree, Enumerable.Range(0, 65), n => Enumerable.Range(0, n + 1));
    }

    [Fact]
    public void RootsAndProofs_ForLargerSizes_MatchTheRfcDefinitions()
    {
        var inputs = Inputs(1025);
        var tree = Tree(inputs);
        var random = new Random(9162);

        CompareWithReference(inputs, tree, [1000, 1023, 1024, 1025, 777], n =>
            new[] { 0, 1, 2, n / 2, n - 2, n - 1, n, 511, 512, 513 }.Where(m => m <= n)
                .Concat(Enumerable.Range(0, 12).Select(_ => random.Next(n + 1))));
    }

    [Fact]
    public void EmptyTree_RootIsTheHashOfTheEmptyString_AndHasNoProofs()
    {
        var tree = new MemorySubtreeHashes();

        Convert.ToHexStringLower(MerkleTree.RootHash(tree, 0)).ShouldBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        MerkleHash.EmptyRoot.ToArray().ShouldBe(SHA256.HashData(Array.Empty<byte>()));
        MerkleTree.ConsistencyProof(tree, 0, 0).ShouldBeEmpty();
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProof(tree, 0, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleTree.RootHash(tree, 1));
    }

    [Fact]
    public void Proofs_OutsideTheTree_AreRefused()
    {
        var tree = Tree(Inputs(5));

        Should.Throw<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProof(tree, 5, 5));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProof(tree, -1, 5));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProof(tree, 0, 6));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleTree.ConsistencyProof(tree, 4, 3));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleTree.ConsistencyProof(tree, 3, 6));
        Should.Throw<ArgumentException>(() => tree.CopySubtreeHash(1, 1, new byte[32]));
        Should.Throw<ArgumentOutOfRangeException>(() => tree.CopySubtreeHash(4, 1, new byte[32]));
    }

    // --- hashes ---

    [Fact]
    public void LeafAndNodeHashes_ArePrefixedSha256()
    {
        byte[] input = [1, 2, 3];
        var left = SHA256.HashData("l"u8);
        var right = SHA256.HashData("r"u8);

        MerkleHash.LeafHash(input).ShouldBe(SHA256.HashData([0x00, 1, 2, 3]));
        MerkleHash.NodeHash(left, right).ShouldBe(SHA256.HashData([0x01, .. left, .. right]));
        var large = RandomNumberGenerator.GetBytes(5000);
        MerkleHash.LeafHash(large).ShouldBe(SHA256.HashData([0x00, .. large]));
        Should.Throw<ArgumentException>(() => MerkleHash.NodeHash(left, right.AsSpan(1)));
    }

    // --- the verifier ---

    private static readonly byte[] Zeros = new byte[32];

    private static List<byte[]> Copy(IEnumerable<byte[]> proof) => proof.Select(p => p.ToArray()).ToList();

    [Fact]
    public void Verifier_AcceptsEveryHonestProof_AndRejectsEveryTamperedOne()
    {
        var inputs = Inputs(64);
        var tree = Tree(inputs);
        var random = new Random(6962);
        for (var n = 1; n <= 64; n++)
        {
            var root = MerkleTree.RootHash(tree, n);
            for (var m = 0; m < n; m++)
            {
                var leaf = MerkleHash.LeafHash(inputs[m]);
                var path = MerkleTree.InclusionProof(tree, m, n);
                var what = $"inclusion of {m} in {n}";
                MerkleVerifier.VerifyInclusion(m, n, leaf, path, root).ShouldBeTrue(what);

                foreach (var tampered in BitFlips(path, everyBit: n <= 16, random))
                {
                    MerkleVerifier.VerifyInclusion(m, n, leaf, tampered, root).ShouldBeFalse(what);
                }

                MerkleVerifier.VerifyInclusion(m, n, MerkleHash.LeafHash([9, 9, 9]), path, root).ShouldBeFalse(what);
                MerkleVerifier.VerifyInclusion(m, n, leaf, path, MerkleHash.EmptyRoot).ShouldBeFalse(what);
                for (var other = -1; other <= n; other++)
                {
                    if (other != m)
                    {
                        MerkleVerifier.VerifyInclusion(other, n, leaf, path, root).ShouldBeFalse($"{what}, claimed at {other}");
                    }
                }

                // A size with another path shape. (A size whose path has the same shape verifies against the same
                // root: the proof binds leaves to a root, and the signed tree head binds the root to its size.)
                MerkleVerifier.VerifyInclusion(m, n * 2, leaf, path, root).ShouldBeFalse(what);
                MerkleVerifier.VerifyInclusion(m, n / 2, leaf, path, root).ShouldBeFalse(what);
                foreach (var wrongLength in LengthChanges(path, root))
                {
                    MerkleVerifier.VerifyInclusion(m, n, leaf, wrongLength, root).ShouldBeFalse(what);
                }
            }

            for (var m = 1; m < n; m++)
            {
                var first = MerkleTree.RootHash(tree, m);
                var proof = MerkleTree.ConsistencyProof(tree, m, n);
                var what = $"consistency of {m} with {n}";
                MerkleVerifier.VerifyConsistency(m, n, first, root, proof).ShouldBeTrue(what);

                foreach (var tampered in BitFlips(proof, everyBit: n <= 16, random))
                {
                    MerkleVerifier.VerifyConsistency(m, n, first, root, tampered).ShouldBeFalse(what);
                }

                MerkleVerifier.VerifyConsistency(m, n, root, first, proof).ShouldBeFalse($"{what}, roots swapped");
                MerkleVerifier.VerifyConsistency(m, n, first, MerkleHash.EmptyRoot, proof).ShouldBeFalse(what);
                MerkleVerifier.VerifyConsistency(m, n, MerkleHash.EmptyRoot, root, proof).ShouldBeFalse(what);
                MerkleVerifier.VerifyConsistency(m - 1, n, first, root, proof).ShouldBeFalse(what);
                MerkleVerifier.VerifyConsistency(m + 1, n, first, root, proof).ShouldBeFalse(what);
                MerkleVerifier.VerifyConsistency(m ^ 2, n, first, root, proof).ShouldBeFalse(what);
                MerkleVerifier.VerifyConsistency(m, n * 2, first, root, proof).ShouldBeFalse(what);
                MerkleVerifier.VerifyConsistency(m, n / 2, first, root, proof).ShouldBeFalse(what);
                MerkleVerifier.VerifyConsistency(m, n, first, root, []).ShouldBeFalse(what);
                foreach (var wrongLength in LengthChanges(proof, root))
                {
                    MerkleVerifier.VerifyConsistency(m, n, first, root, wrongLength).ShouldBeFalse(what);
                }
            }
        }
    }

    [Fact]
    public void Verifier_TrivialConsistency_NeedsAnEmptyProofAndMatchingRoots()
    {
        var tree = Tree(Inputs(3));
        var root = MerkleTree.RootHash(tree, 3);

        MerkleVerifier.VerifyConsistency(3, 3, root, root, []).ShouldBeTrue();
        MerkleVerifier.VerifyConsistency(3, 3, root, MerkleHash.EmptyRoot, []).ShouldBeFalse();
        MerkleVerifier.VerifyConsistency(3, 3, root, root, [root]).ShouldBeFalse();
        MerkleVerifier.VerifyConsistency(0, 3, MerkleHash.EmptyRoot, root, []).ShouldBeTrue();
        MerkleVerifier.VerifyConsistency(0, 3, root, root, []).ShouldBeFalse();
        MerkleVerifier.VerifyConsistency(0, 3, MerkleHash.EmptyRoot, root, [Zeros]).ShouldBeFalse();
        MerkleVerifier.VerifyConsistency(3, 2, root, root, []).ShouldBeFalse();
        MerkleVerifier.VerifyInclusion(0, 0, MerkleHash.EmptyRoot, [], MerkleHash.EmptyRoot).ShouldBeFalse();
    }

    /// <summary>Copies of the proof with one bit flipped: every bit of every element, or one random bit of each.</summary>
    private static IEnumerable<List<byte[]>> BitFlips(IReadOnlyList<byte[]> proof, bool everyBit, Random random)
    {
        for (var element = 0; element < proof.Count; element++)
        {
            var bits = everyBit ? Enumerable.Range(0, 256) : [random.Next(256)];
            foreach (var bit in bits)
            {
                var tampered = Copy(proof);
                tampered[element][bit / 8] ^= (byte)(1 << (bit % 8));
                yield return tampered;
            }
        }
    }

    /// <summary>The proof truncated, extended at either end, and with an element dropped.</summary>
    private static IEnumerable<List<byte[]>> LengthChanges(IReadOnlyList<byte[]> proof, byte[] root)
    {
        if (proof.Count > 0)
        {
            yield return Copy(proof.Take(proof.Count - 1));
            yield return Copy(proof.Skip(1));
            yield return [.. Copy(proof), proof[^1]];
        }

        yield return [.. Copy(proof), Zeros];
        yield return [.. Copy(proof), root];
        yield return [Zeros, .. Copy(proof)];
        yield return [root, .. Copy(proof)];
    }

    // --- Certificate Transparency reference vectors ---
    // From google/certificate-transparency, cpp/merkletree/merkle_tree_test.cc (kInputs, kSHA256Roots, kSHA256Paths,
    // kSHA256Proofs). That file numbers leaves from 1; the indices below are from 0.

    private static readonly string[] CtInputs =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] CtRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static TheoryData<int, int, string[]> CtInclusionProofs => new()
    {
        { 0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        { 1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
        { 0, 1, [] },
    };

    public static TheoryData<int, int, string[]> CtConsistencyProofs => new()
    {
        { 1, 1, [] },
        { 1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"] },
        { 6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"] },
        { 2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"] },
    };

    private static MemorySubtreeHashes CtTree() => Tree(CtInputs.Select(Convert.FromHexString));

    [Fact]
    public void CtVectors_RootsForEverySize()
    {
        var tree = CtTree();

        for (var n = 1; n <= 8; n++)
        {
            Convert.ToHexStringLower(MerkleTree.RootHash(tree, n)).ShouldBe(CtRoots[n - 1], $"size {n}");
        }
    }

    [Theory]
    [MemberData(nameof(CtInclusionProofs))]
    public void CtVectors_InclusionProofs(int leafIndex, int treeSize, string[] expected)
    {
        var tree = CtTree();

        var proof = MerkleTree.InclusionProof(tree, leafIndex, treeSize);

        proof.Select(Convert.ToHexStringLower).ShouldBe(expected);
        MerkleVerifier.VerifyInclusion(leafIndex, treeSize, MerkleHash.LeafHash(Convert.FromHexString(CtInputs[leafIndex])),
            expected.Select(Convert.FromHexString).ToList(), Convert.FromHexString(CtRoots[treeSize - 1])).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(CtConsistencyProofs))]
    public void CtVectors_ConsistencyProofs(int firstSize, int secondSize, string[] expected)
    {
        var tree = CtTree();

        var proof = MerkleTree.ConsistencyProof(tree, firstSize, secondSize);

        proof.Select(Convert.ToHexStringLower).ShouldBe(expected);
        MerkleVerifier.VerifyConsistency(firstSize, secondSize, Convert.FromHexString(CtRoots[firstSize - 1]),
            Convert.FromHexString(CtRoots[secondSize - 1]), expected.Select(Convert.FromHexString).ToList()).ShouldBeTrue();
    }

    // --- a large tree ---

    /// <summary>Counts subtree look-ups, to show a proof never walks the leaves.</summary>
    private sealed class CountingSubtreeHashes(ISubtreeHashes inner) : ISubtreeHashes
    {
        public long Lookups { get; set; }

        public long Count => inner.Count;

        public void CopySubtreeHash(long start, int level, Span<byte> destination)
        {
            Lookups++;
            inner.CopySubtreeHash(start, level, destination);
        }
    }

    [Fact]
    [Trait("Category", "Slow")] // about 4 s: a million appends
    public void MillionLeaves_RandomProofsVerify_WithPolylogarithmicLookups()
    {
        const int size = 1_000_000;
        var memory = new MemorySubtreeHashes();
        Span<byte> input = stackalloc byte[4];
        for (var i = 0; i < size; i++)
        {
            BitConverter.TryWriteBytes(input, i).ShouldBeTrue();
            memory.AppendLeaf(input);
        }

        var tree = new CountingSubtreeHashes(memory);
        var random = new Random(1_000_000);
        // log2(1e6) < 20: a root takes at most 20 look-ups, a proof at most 20 elements of at most 20 each.
        const long bound = 20 * 21;
        for (var i = 0; i < 1000; i++)
        {
            var n = random.NextInt64(1, size + 1);
            var m = random.NextInt64(0, n);
            tree.Lookups = 0;
            var root = MerkleTree.RootHash(tree, n);
            var path = MerkleTree.InclusionProof(tree, m, n);
            tree.Lookups.ShouldBeLessThanOrEqualTo(bound);

            BitConverter.TryWriteBytes(input, (int)m).ShouldBeTrue();
            MerkleVerifier.VerifyInclusion(m, n, MerkleHash.LeafHash(input), path, root).ShouldBeTrue($"inclusion of {m} in {n}");

            var first = random.NextInt64(1, n + 1);
            tree.Lookups = 0;
            var proof = MerkleTree.ConsistencyProof(tree, first, n);
            tree.Lookups.ShouldBeLessThanOrEqualTo(bound);
            MerkleVerifier.VerifyConsistency(first, n, MerkleTree.RootHash(tree, first), root, proof).ShouldBeTrue($"consistency of {first} with {n}");
        }

    }
}
