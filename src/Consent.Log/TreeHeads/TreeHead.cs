namespace Consent.Log.TreeHeads;

/// <summary>
/// A signed tree head of the disclosure log (RFC 6962 section 3.5): at <see cref="Timestamp"/> (Unix milliseconds)
/// the tree of the first <see cref="TreeSize"/> leaves had the root <see cref="RootHash"/>, signed by the key whose
/// id is <see cref="KeyId"/>. <see cref="Signature"/> is the DER-encoded ECDSA P-256 signature over
/// <see cref="TreeHeadSignature.SignedBytes"/>.
/// </summary>
public sealed record TreeHead(long TreeSize, long Timestamp, byte[] RootHash, string KeyId, byte[] Signature);
