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
