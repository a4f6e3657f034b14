using System.Buffers.Binary;
using System.Security.Cryptography;
using Consent.Log.Merkle;

namespace Consent.Log.TreeHeads;

/// <summary>
/// Signs and verifies tree heads. The signed bytes are RFC 6962's TreeHeadSignature structure, exactly 50 bytes:
/// <c>0x00</c> (version v1), <c>0x01</c> (signature type tree_hash), the timestamp and the tree size as unsigned
/// 64-bit big-endian integers, and the 32-byte root hash. The signature is ECDSA P-256 over their SHA-256, DER
/// encoded, so <c>openssl dgst -sha256 -verify key.pem -signature sig.der tbs.bin</c> checks it.
/// </summary>
public static class TreeHeadSignature
{
    /// <summary>The length of the signed bytes.</summary>
    public const int SignedLength = 2 + 8 + 8 + MerkleHash.Size;

    private const byte Version1 = 0x00;
    private const byte TreeHashSignatureType = 0x01;

    /// <summary>The 50 bytes a tree head's signature covers.</summary>
    public static byte[] SignedBytes(long timestamp, long treeSize, ReadOnlySpan<byte> rootHash)
    {
        var bytes = new byte[SignedLength];
        WriteSignedBytes(timestamp, treeSize, rootHash, bytes);
        return bytes;
    }

    /// <summary>Signs a tree head with the log's private key; returns the DER-encoded signature.</summary>
    public static byte[] Sign(ECDsa key, long timestamp, long treeSize, ReadOnlySpan<byte> rootHash)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> signed = stackalloc byte[SignedLength];
        WriteSignedBytes(timestamp, treeSize, rootHash, signed);
        return key.SignData(signed, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>
    /// True when <paramref name="head"/> is signed by the ECDSA P-256 key whose SubjectPublicKeyInfo DER is
    /// <paramref name="subjectPublicKeyInfo"/>, and names that key. False for a malformed key, another curve, a key
    /// id that is not this key's, or a signature that does not verify.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> subjectPublicKeyInfo, TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (!string.Equals(head.KeyId, KeyIdOf(subjectPublicKeyInfo), StringComparison.Ordinal))
        {
            return false;
        }

        using var key = ImportPublicKey(subjectPublicKeyInfo);
        return key is not null && Verify(key, head);
    }

    /// <summary>
    /// True when <paramref name="head"/>'s signature verifies under <paramref name="publicKey"/> (an ECDSA P-256
    /// key; the key id is not compared). For verifiers that check many heads with one key.
    /// </summary>
    public static bool Verify(ECDsa publicKey, TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(head);
        if (head.RootHash is not { Length: MerkleHash.Size } || head.TreeSize < 0 || head.Timestamp < 0 || head.Signature is null)
        {
            return false;
        }

        Span<byte> signed = stackalloc byte[SignedLength];
        WriteSignedBytes(head.Timestamp, head.TreeSize, head.RootHash, signed);
        try
        {
            return publicKey.VerifyData(signed, head.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false; // not a DER signature at all
        }
    }

    /// <summary>A key's id: lowercase hex SHA-256 of its SubjectPublicKeyInfo DER.</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>The ECDSA P-256 public key of a SubjectPublicKeyInfo DER, or null when it is not one.</summary>
    public static ECDsa? ImportPublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            var curve = key.ExportParameters(includePrivateParameters: false).Curve;
            if (read == subjectPublicKeyInfo.Length && curve.IsNamed && curve.Oid.Value == ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                return key;
            }
        }
        catch (CryptographicException)
        {
        }

        key.Dispose();
        return null;
    }

    private static void WriteSignedBytes(long timestamp, long treeSize, ReadOnlySpan<byte> rootHash, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        if (rootHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException("A root hash is a SHA-256.", nameof(rootHash));
        }

        destination[0] = Version1;
        destination[1] = TreeHashSignatureType;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)timestamp);
        BinaryPrimitives.WriteUInt64BigEndian(destination[10..], (ulong)treeSize);
        rootHash.CopyTo(destination[18..]);
    }
}
