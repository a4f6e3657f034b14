namespace Consent.Log.TreeHeads;

/// <summary>
/// A signed tree head: the log's Merkle root at a size, the time it was issued and the signature of the log's key
/// over both (RFC 6962 section 3.5). See <see cref="TreeHeadSignature"/> for the signed bytes.
/// </summary>
/// <param name="TreeSize">The number of entries (leaves) the root covers.</param>
/// <param name="Timestamp">When the head was issued, Unix milliseconds (UTC).</param>
/// <param name="RootHash">MTH of the first <paramref name="TreeSize"/> leaves, 32 bytes.</param>
/// <param name="KeyId">Lowercase hex SHA-256 of the signing key's SubjectPublicKeyInfo DER.</param>
/// <param name="Signature">ECDSA P-256 over SHA-256 of the signed bytes, DER-encoded.</param>
public sealed record TreeHead(long TreeSize, long Timestamp, byte[] RootHash, string KeyId, byte[] Signature);
