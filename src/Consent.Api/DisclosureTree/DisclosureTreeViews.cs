using System.Buffers.Text;
using System.Security.Cryptography;
using Consent.Api.DisclosureLog;
using Microsoft.AspNetCore.Mvc;

namespace Consent.Api.DisclosureTree;

/// <summary>A signed tree head as the API and auditors exchange it: hashes in lowercase hex, the signature base64 DER.</summary>
public sealed record TreeHeadView(long TreeSize, long Timestamp, string RootHash, string KeyId, string Signature)
{
    public static TreeHeadView Of(StoredTreeHead head) => new(
        head.TreeSize, head.Timestamp, Convert.ToHexStringLower(head.RootHash), head.KeyId, Convert.ToBase64String(head.Signature));
}

/// <summary>Stored tree heads in issue order, and the link to the next page (null on the last).</summary>
public sealed record TreeHeadPage(IReadOnlyList<TreeHeadView> Items, string? Next);

/// <summary>RFC 9162 inclusion proof: the audit path of leaf <see cref="LeafIndex"/> in the tree of <see cref="TreeSize"/> leaves.</summary>
public sealed record InclusionProofView(long LeafIndex, long TreeSize, string LeafHash, IReadOnlyList<string> AuditPath);

/// <summary>RFC 9162 consistency proof: the tree of <see cref="First"/> leaves is a prefix of the tree of <see cref="Second"/>.</summary>
public sealed record ConsistencyProofView(long First, long Second, IReadOnlyList<string> Consistency);

/// <summary>An entry with what an auditor needs to recompute its leaf: the leaf input (canonical encoding ‖ previous hash) and its hash.</summary>
public sealed record LogEntryView(DisclosureEntryView Entry, long LeafIndex, string LeafInput, string LeafHash);

/// <summary>Every key that signs or signed tree heads (<c>/.well-known/disclosure-log-keys</c>).</summary>
public sealed record LogKeySet(IReadOnlyList<LogKeyView> Keys);

/// <summary>A P-256 public key as a JWK (RFC 7517/7518) with its SubjectPublicKeyInfo DER (base64) and creation time (Unix ms).</summary>
public sealed record LogKeyView(string Kid, string Kty, string Crv, string X, string Y, string Alg, string Use, string Spki, long CreatedAt)
{
    public static LogKeyView Of(DisclosureLogKey key)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        return new LogKeyView(key.KeyId, "EC", "P-256", Base64Url.EncodeToString(point.X), Base64Url.EncodeToString(point.Y), "ES256", "sig",
            Convert.ToBase64String(key.PublicKey), key.CreatedAt);
    }
}

/// <summary>Query parameters of <c>GET /api/log/tree-heads</c>, as sent.</summary>
public sealed record TreeHeadsQuery(
    [FromQuery(Name = "afterId")] string? AfterId,
    [FromQuery(Name = "limit")] string? Limit);

/// <summary>Query parameters of <c>GET /api/log/proofs/inclusion</c>, as sent.</summary>
public sealed record InclusionProofQuery(
    [FromQuery(Name = "leaf")] string? Leaf,
    [FromQuery(Name = "treeSize")] string? TreeSize);

/// <summary>Query parameters of <c>GET /api/log/proofs/consistency</c>, as sent.</summary>
public sealed record ConsistencyProofQuery(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To);
