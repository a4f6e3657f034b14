using System.Buffers.Binary;
using System.Security.Cryptography;
using Consent.Log.Merkle;

namespace Consent.Log.TreeHeads;

/// <summary>
/// The signature of a tree head, as RFC 6962 section 3.5's TreeHeadSignature: ECDSA P-256 with SHA-256 over 50
/// bytes (version v1 = 0, signature type tree_hash = 1, timestamp and tree size as big-endian uint64, the root
/// hash), DER-encoded, so <c>openssl dgst -sha256 -verify</c> checks it. A key's id is the lowercase hex
/// SHA-256 of its SubjectPublicKeyInfo.
/// </summary>
public static class TreeHeadSignature
{
    /// <summary>The length of <see cref="SignedBytes"/>.</summary>
    public const int SignedLength = 2 + 8 + 8 + MerkleHash.Size;

    private const byte VersionV1 = 0x00;
    private const byte TreeHashSignatureType = 0x01;

    /// <summary>The exact bytes a tree head's signature covers.</summary>
    public static byte[] SignedBytes(long timestamp, long treeSize, ReadOnlySpan<byte> rootHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        if (rootHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException("A root hash is a SHA-256.", nameof(rootHash));
        }

        var bytes = new byte[SignedLength];
        bytes[0] = VersionV1;
        bytes[1] = TreeHashSignatureType;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(2), (ulong)timestamp);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(10), (ulong)treeSize);
        rootHash.CopyTo(bytes.AsSpan(18));
        return bytes;
    }

    /// <summary>Signs a tree head with a P-256 key: the DER-encoded signature over <see cref="SignedBytes"/>.</summary>
    public static byte[] Sign(ECDsa key, long timestamp, long treeSize, ReadOnlySpan<byte> rootHash)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.SignData(SignedBytes(timestamp, treeSize, rootHash), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>True when the head's signature verifies with the P-256 public key given as SubjectPublicKeyInfo DER.</summary>
    public static bool Verify(ReadOnlySpan<byte> subjectPublicKeyInfo, TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.RootHash is not { Length: MerkleHash.Size } || head.Signature is null || head.TreeSize < 0 || head.Timestamp < 0)
        {
            return false;
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        }
        catch (CryptographicException)
        {
            return false;
        }

        if (key.KeySize != 256)
        {
            return false;
        }

        return key.VerifyData(SignedBytes(head.Timestamp, head.TreeSize, head.RootHash), head.Signature,
            HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>A key's id: lowercase hex SHA-256 of its SubjectPublicKeyInfo DER.</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));
}
