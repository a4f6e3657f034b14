using Consent.Log.Merkle;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.DisclosureTree;

/// <summary>
/// One leaf's row of the disclosure log's Merkle tree: the hashes of every complete aligned subtree that ends at
/// leaf <see cref="LeafIndex"/> (= sequence − 1), level 0 (the leaf hash, equal to the entry's hash) first, 32 bytes
/// each; so there are 1 + (trailing 1-bits of the index) of them. The subtree (start, level) is in row
/// start + 2^level − 1 at offset 32·level. Written only by <see cref="DisclosureTreeIntegrator"/>; never changed.
/// </summary>
public sealed class DisclosureTreeRow
{
    public DisclosureTreeRow(long leafIndex, byte[] hashes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Length != LevelsOf(leafIndex) * MerkleHash.Size)
        {
            throw new ArgumentException("A tree row holds one hash per complete subtree ending at its leaf.", nameof(hashes));
        }

        LeafIndex = leafIndex;
        Hashes = hashes;
    }

    public long LeafIndex { get; }

    public byte[] Hashes { get; }

    /// <summary>How many complete aligned subtrees end at a leaf: 1 + its trailing 1-bits.</summary>
    public static int LevelsOf(long leafIndex) => 1 + (int)long.TrailingZeroCount(~leafIndex);

    /// <summary>The row that holds the subtree [start, start + 2^level).</summary>
    public static long RowOf(long start, int level) => start + (1L << level) - 1;
}

/// <summary>A signed tree head as stored, in issue order (<see cref="Id"/> 1, 2, …). Never changed.</summary>
public sealed class StoredTreeHead
{
    public StoredTreeHead(long treeSize, long timestamp, byte[] rootHash, string keyId, byte[] signature)
    {
        TreeSize = treeSize;
        Timestamp = timestamp;
        RootHash = rootHash;
        KeyId = keyId;
        Signature = signature;
    }

    public long Id { get; private set; }

    public long TreeSize { get; }

    /// <summary>Unix milliseconds, as signed.</summary>
    public long Timestamp { get; }

    public byte[] RootHash { get; }

    public string KeyId { get; }

    /// <summary>DER-encoded ECDSA P-256 signature over <c>TreeHeadSignature.SignedBytes</c>.</summary>
    public byte[] Signature { get; }
}

/// <summary>A public key that signs (or signed) tree heads. Kept for ever, so every head ever issued stays verifiable.</summary>
public sealed class DisclosureLogKey
{
    public DisclosureLogKey(string keyId, byte[] publicKey, long createdAt)
    {
        KeyId = keyId;
        PublicKey = publicKey;
        CreatedAt = createdAt;
    }

    /// <summary>Lowercase hex SHA-256 of <see cref="PublicKey"/>.</summary>
    public string KeyId { get; }

    /// <summary>SubjectPublicKeyInfo DER of an ECDSA P-256 key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>Unix milliseconds.</summary>
    public long CreatedAt { get; }
}

internal sealed class DisclosureTreeRowConfiguration : IEntityTypeConfiguration<DisclosureTreeRow>
{
    public const string Table = "DisclosureTree";

    public void Configure(EntityTypeBuilder<DisclosureTreeRow> row)
    {
        row.ToTable(Table);
        row.HasKey(r => r.LeafIndex);
        row.Property(r => r.LeafIndex).ValueGeneratedNever();
        row.Property(r => r.Hashes).IsRequired();
    }
}

internal sealed class StoredTreeHeadConfiguration : IEntityTypeConfiguration<StoredTreeHead>
{
    public const string Table = "DisclosureTreeHeads";

    public void Configure(EntityTypeBuilder<StoredTreeHead> head)
    {
        head.ToTable(Table);
        head.HasKey(h => h.Id);
        head.Property(h => h.Id).ValueGeneratedOnAdd();
        head.Property(h => h.TreeSize);
        head.Property(h => h.Timestamp);
        head.Property(h => h.RootHash).IsRequired();
        head.Property(h => h.KeyId).IsRequired().HasMaxLength(64);
        head.Property(h => h.Signature).IsRequired();
        // Proofs are served only to sizes some head signed: looked up by size.
        head.HasIndex(h => h.TreeSize);
    }
}

internal sealed class DisclosureLogKeyConfiguration : IEntityTypeConfiguration<DisclosureLogKey>
{
    public const string Table = "DisclosureLogKeys";

    public void Configure(EntityTypeBuilder<DisclosureLogKey> key)
    {
        key.ToTable(Table);
        key.HasKey(k => k.KeyId);
        key.Property(k => k.KeyId).HasMaxLength(64);
        key.Property(k => k.PublicKey).IsRequired();
        key.Property(k => k.CreatedAt);
    }
}
