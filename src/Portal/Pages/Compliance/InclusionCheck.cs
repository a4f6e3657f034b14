using System.Security.Cryptography;
using Consent.Portal.ConsentApi;

namespace Consent.Portal.Pages.Compliance;

public enum InclusionStatus
{
    /// <summary>The audit path leads from the entry's leaf to the root of the latest signed tree head.</summary>
    Proven,

    /// <summary>The entry came after the latest signed tree head: the next head will include it.</summary>
    NotYetSigned,

    /// <summary>The API's proof does not lead to the signed root, or is not about this entry's leaf.</summary>
    Failed,

    /// <summary>No tree head or proof could be had from the API.</summary>
    Unavailable,
}

/// <summary>
/// Checks an RFC 9162 inclusion proof (section 2.1.3.2) against a signed tree head. The portal checks it itself rather
/// than taking the API's word: a proof is only worth something when the reader recomputes the root. The tree head's
/// signature is checked by the log check (the integrity page), under the keys the API stores.
/// </summary>
public static class InclusionCheck
{
    public static InclusionStatus Check(LogEntryView entry, TreeHeadView head, InclusionProofView proof)
    {
        if (proof.LeafIndex != entry.LeafIndex || proof.TreeSize != head.TreeSize ||
            !string.Equals(proof.LeafHash, entry.LeafHash, StringComparison.OrdinalIgnoreCase))
        {
            return InclusionStatus.Failed;
        }

        try
        {
            var root = RootFromPath(proof.LeafIndex, proof.TreeSize, Convert.FromHexString(entry.LeafHash),
                [.. proof.AuditPath.Select(Convert.FromHexString)]);
            return root is not null && CryptographicOperations.FixedTimeEquals(root, Convert.FromHexString(head.RootHash))
                ? InclusionStatus.Proven
                : InclusionStatus.Failed;
        }
        catch (FormatException)
        {
            return InclusionStatus.Failed;
        }
    }

    /// <summary>The root the audit path leads to from the leaf, or null when the path does not fit the tree's shape.</summary>
    public static byte[]? RootFromPath(long leafIndex, long treeSize, byte[] leafHash, IReadOnlyList<byte[]> path)
    {
        if (leafIndex < 0 || leafIndex >= treeSize)
        {
            return null;
        }

        var fn = leafIndex;
        var sn = treeSize - 1;
        var r = leafHash;
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return null;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = Node(p, r);
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
                r = Node(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 ? r : null;
    }

    private static byte[] Node(byte[] left, byte[] right)
    {
        var input = new byte[1 + left.Length + right.Length];
        input[0] = 0x01;
        left.CopyTo(input, 1);
        right.CopyTo(input, 1 + left.Length);
        return SHA256.HashData(input);
    }
}
