using Consent.Api.BreakGlass;
using Consent.Api.Caller;
using Consent.Api.DisclosureLog;
using Consent.Api.LogVerification;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Compliance;

/// <summary>
/// What waits for a compliance officer, how busy the log has been, and the outcome of the last online check of the log
/// (<c>POST /api/log/verify</c>; null until one has run since the API started).
/// </summary>
public sealed record DashboardView(
    DateTimeOffset At, BreakGlassCounts BreakGlass, AnomalyCounts Anomalies, LogCounts Log, LastLogVerification? LastLogVerification);

/// <summary>
/// The break-glass review queue: records waiting (and since when the oldest waits) and the outcomes so far.
/// <see cref="OldestUnreviewedAgeHours"/> is how long the oldest has waited, in hours (one decimal).
/// </summary>
public sealed record BreakGlassCounts(
    int Unreviewed, DateTimeOffset? OldestUnreviewedDeclaredAt, double? OldestUnreviewedAgeHours, int ReviewedJustified, int ReviewedNotJustified, string Queue);

/// <summary>Flags the anomaly rules raise over the window ending now (computed on request).</summary>
public sealed record AnomalyCounts(int Open, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int UnusualVolume, int PurposeOutsideMou, int RepeatedDenials);

public sealed record LogCounts(long? LatestSequence, int EntriesLast24Hours, int EntriesLast30Days, int DeniedLast24Hours);

public sealed class Dashboard(
    ConsentDb db, Anomalies anomalies, OnlineLogVerifier verifier, IOptions<ComplianceOptions> options, TimeProvider time)
{
    public async Task<Outcome<DashboardView>> ReadAsync(ApiCaller caller, IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        // The dashboard takes no parameters; one sent anyway is refused rather than ignored.
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, [], errors);
        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var now = time.GetUtcNow();
        var outcomes = await db.BreakGlass.AsNoTracking().GroupBy(r => r.Outcome).Select(g => new { Outcome = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var oldest = await db.BreakGlass.AsNoTracking().Where(r => r.ReviewedAt == null).OrderBy(r => r.DeclaredAt)
            .Select(r => (DateTimeOffset?)r.DeclaredAt).FirstOrDefaultAsync(cancellationToken);
        int Count(ReviewOutcome? outcome) => outcomes.FirstOrDefault(o => o.Outcome == outcome)?.Count ?? 0;
        var breakGlass = new BreakGlassCounts(Count(null), oldest, oldest is { } since ? Math.Round((now - since).TotalHours, 1) : null, Count(ReviewOutcome.Justified), Count(ReviewOutcome.NotJustified),
            "/api/break-glass?needsReview=true");

        var window = options.Value.Anomalies.DashboardWindow;
        var flags = (await anomalies.FlagsAsync(now - window, now, cancellationToken)).Flags;
        var anomalyCounts = new AnomalyCounts(flags.Count, now - window, now, flags.Count(f => f.Kind == AnomalyKind.UnusualVolume),
            flags.Count(f => f.Kind == AnomalyKind.PurposeOutsideMou), flags.Count(f => f.Kind == AnomalyKind.RepeatedDenials));

        var dayAgo = now.AddHours(-24);
        var monthAgo = now.AddDays(-30);
        var log = db.Disclosures.AsNoTracking();
        var counts = new LogCounts(
            await log.MaxAsync(e => (long?)e.Sequence, cancellationToken),
            await log.CountAsync(e => e.RecordedAt >= dayAgo, cancellationToken),
            await log.CountAsync(e => e.RecordedAt >= monthAgo, cancellationToken),
            await log.CountAsync(e => e.RecordedAt >= dayAgo && e.Decision == DisclosureDecision.Deny, cancellationToken));
        return new DashboardView(now, breakGlass, anomalyCounts, counts, verifier.Last);
    }
}
