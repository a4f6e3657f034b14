namespace Consent.Portal.ConsentApi;

// The consent API's compliance answers, as it writes them (src/Consent.Api/Compliance/Dashboard.cs and
// src/Consent.Api/BreakGlass). Only the fields the portal shows are read.

/// <summary><c>GET /api/compliance/dashboard</c>.</summary>
public sealed record ComplianceDashboard(
    DateTimeOffset At, BreakGlassCounts BreakGlass, AnomalyCounts Anomalies, LogCounts Log, LastLogVerification? LastLogVerification);

public sealed record BreakGlassCounts(
    int Unreviewed, DateTimeOffset? OldestUnreviewedDeclaredAt, double? OldestUnreviewedAgeHours, int ReviewedJustified, int ReviewedNotJustified);

public sealed record AnomalyCounts(int Open, DateTimeOffset WindowStart, DateTimeOffset WindowEnd);

public sealed record LogCounts(long? LatestSequence, int EntriesLast24Hours, int EntriesLast30Days, int DeniedLast24Hours);

public sealed record LastLogVerification(DateTimeOffset At, bool Holds, long LogSize, long FailureCount);

/// <summary>One break-glass record: an emergency access an agency declared, with its reason.</summary>
public sealed record BreakGlassRecord(
    Guid Id, string AgencyId, string DeclaredBy, string? ClientId, string SurvivorId, string Purpose, string Reason, DateTimeOffset DeclaredAt,
    bool NeedsReview);

public enum ReviewOutcome
{
    Justified,
    NotJustified,
}

/// <summary>The body of <c>POST /api/break-glass/{id}/review</c>: a null outcome is sent as such, for the API to refuse.</summary>
public sealed record BreakGlassReview(ReviewOutcome? Outcome, string? Note);

// The disclosure log as the API writes it (src/Consent.Api/DisclosureLog, DisclosureTree, LogVerification). Kinds and
// decisions are read as the API's kebab-case strings, so a kind added to the API later is shown as it comes instead of
// failing the whole page.

/// <summary><c>GET /api/disclosures</c>: a page of entries in sequence order, and the API's link to the next page.</summary>
public sealed record DisclosureLogPage(IReadOnlyList<DisclosureEntryView> Items, string? Next);

/// <summary>One entry of the disclosure log exactly as recorded, hashes included.</summary>
public sealed record DisclosureEntryView(
    long Sequence, DateTimeOffset RecordedAt, string RecipientAgencyId, string ClientId, string? UserId, string SurvivorId,
    string ResourceType, IReadOnlyList<string> ResourceIds, string PurposeOfUse, string Decision,
    IReadOnlyList<DisclosureBasisView> Basis, string PolicyVersion, string RequestId, bool BreakGlass, string PreviousHash, string Hash)
{
    public bool Permitted => Decision == "permit";
}

/// <summary>What made a disclosure lawful: <c>consent-grant</c>, <c>mou</c>, <c>statutory-basis</c> or <c>break-glass</c>, and its id.</summary>
public sealed record DisclosureBasisView(string Kind, string Id);

/// <summary><c>GET /api/log/entries/{sequence}</c>: the entry with its leaf (index from 0, input and hash in hex).</summary>
public sealed record LogEntryView(DisclosureEntryView Entry, long LeafIndex, string LeafInput, string LeafHash);

/// <summary><c>GET /api/log/tree-head</c>: the latest signed tree head; the timestamp in Unix milliseconds, the signature base64 DER.</summary>
public sealed record TreeHeadView(long TreeSize, long Timestamp, string RootHash, string KeyId, string Signature)
{
    public DateTimeOffset SignedAt => DateTimeOffset.FromUnixTimeMilliseconds(Timestamp);
}

/// <summary><c>GET /api/log/proofs/inclusion</c>: the RFC 9162 audit path of one leaf in a signed tree.</summary>
public sealed record InclusionProofView(long LeafIndex, long TreeSize, string LeafHash, IReadOnlyList<string> AuditPath);

/// <summary><c>POST /api/log/verify</c>: the outcome of checking the whole log, with the first failures (ids and hashes only).</summary>
public sealed record LogVerificationReport(
    bool Holds, DateTimeOffset StartedAt, long ElapsedMs, long EntriesChecked, long LogSize, long TreeSize,
    int HeadsChecked, int PostedHeadsChecked, string TrustedKeys, long FailureCount, IReadOnlyList<LogFailureView> Failures);

/// <summary>One failed check: its kind (<c>hash-mismatch</c>, <c>chain</c> ...), where, and the hashes computed and found.</summary>
public sealed record LogFailureView(string Kind, long? Sequence, long? HeadId, int? PostedHead, string Message, string? Expected, string? Found);

/// <summary><c>GET /api/agencies</c>: an agency of the directory.</summary>
public sealed record AgencyView(string Id, string Name, string Type, bool Active);
