using System.Globalization;
using Consent.Api.Caller;
using Consent.Api.DisclosureLog;
using Consent.Api.Mous;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Compliance;

public enum AnomalyKind
{
    /// <summary>An agency read far more distinct survivors in a day than it usually does.</summary>
    UnusualVolume,

    /// <summary>A read whose purpose no MOU of the recipient covers.</summary>
    PurposeOutsideMou,

    /// <summary>One agency was refused one survivor's records again and again.</summary>
    RepeatedDenials,
}

/// <summary>
/// One anomaly: what kind, which agency (and survivor, where the rule is about one), over which span, how many
/// entries, the first few sequence numbers to look up in the log, and what it means in plain words.
/// </summary>
public sealed record AnomalyFlag(
    AnomalyKind Kind,
    string AgencyId,
    string? SurvivorId,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    int Count,
    double? Threshold,
    IReadOnlyList<long> Sequences,
    string Explanation);

public sealed record AnomalyRulesView(int BaselineDays, double VolumeMultiplier, int VolumeFloor, int DeniedReadsThreshold, TimeSpan DeniedReadsWindow);

public sealed record AnomalyReport(DateTimeOffset From, DateTimeOffset To, AnomalyRulesView Rules, IReadOnlyList<AnomalyFlag> Flags);

public sealed record AnomaliesQuery(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To);

/// <summary>
/// Anomaly flags, computed from the log when asked (nothing is stored, so a flag cannot go stale or be lost, and changing
/// a threshold applies to the past at once). The rules and their thresholds (<c>Compliance:Anomalies</c>):
/// <list type="bullet">
/// <item>Unusual volume: on a UTC day, an agency read (permitted or denied) more distinct survivors than
/// max(<c>VolumeFloor</c>, <c>VolumeMultiplier</c> × its median daily count over the <c>BaselineDays</c> days before).</item>
/// <item>Purpose outside MOU: a permitted read whose purpose no MOU in force at the time covers for the source agency
/// (derived from the records returned) → recipient flow; for a denied read, which names no record and so no source, a
/// purpose that no MOU in force with the recipient on the receiving side covers at all.</item>
/// <item>Repeated denials: at least <c>DeniedReadsThreshold</c> denied reads of one survivor by one agency within
/// <c>DeniedReadsWindow</c>.</item>
/// </list>
/// </summary>
public sealed class Anomalies(ConsentDb db, IOptions<ComplianceOptions> options, TimeProvider time)
{
    private const long DayMilliseconds = 86_400_000;
    private static readonly string[] Parameters = ["from", "to"];

    // Distinct survivors per agency and UTC day (RecordedAt is Unix milliseconds), counted by the database through the time index.
    private const string VolumeSql =
        "SELECT \"RecipientAgencyId\" AS \"AgencyId\", \"RecordedAt\" / 86400000 AS \"Day\", COUNT(DISTINCT \"SurvivorId\") AS \"Survivors\" "
        + "FROM \"" + DisclosureEntryConfiguration.Table + "\" WHERE \"RecordedAt\" >= {0} AND \"RecordedAt\" < {1} "
        + "GROUP BY \"RecipientAgencyId\", \"RecordedAt\" / 86400000";

    private AnomalyRules Rules => options.Value.Anomalies;

    public async Task<Outcome<AnomalyReport>> ReportAsync(ApiCaller caller, AnomaliesQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, Parameters, errors);
        var from = DisclosureSearch.Instant(query.From, "from", errors);
        var to = DisclosureSearch.Instant(query.To, "to", errors);
        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var end = to ?? time.GetUtcNow();
        var start = from ?? end - TimeSpan.FromHours(24);
        if (start >= end)
        {
            return ProblemCatalogue.Invalid("to", "The end of the window (exclusive) must be after its start.");
        }

        if (end - start > Rules.MaximumWindow)
        {
            return ProblemCatalogue.Invalid("from", $"A window of at most {Rules.MaximumWindow.TotalDays.ToString(CultureInfo.InvariantCulture)} days.");
        }

        return await FlagsAsync(start, end, cancellationToken);
    }

    public async Task<AnomalyReport> FlagsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var flags = new List<AnomalyFlag>();
        flags.AddRange(await UnusualVolumeAsync(from, to, cancellationToken));
        flags.AddRange(await PurposeOutsideMouAsync(from, to, cancellationToken));
        flags.AddRange(await RepeatedDenialsAsync(from, to, cancellationToken));
        var rules = new AnomalyRulesView(Rules.BaselineDays, Rules.VolumeMultiplier, Rules.VolumeFloor, Rules.DeniedReadsThreshold, Rules.DeniedReadsWindow);
        return new AnomalyReport(from, to, rules,
            [.. flags.OrderBy(f => f.WindowStart).ThenBy(f => f.Kind).ThenBy(f => f.AgencyId, StringComparer.Ordinal)]);
    }

    private async Task<List<AnomalyFlag>> UnusualVolumeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var firstDay = from.ToUnixTimeMilliseconds() / DayMilliseconds;
        var lastDay = (to.ToUnixTimeMilliseconds() - 1) / DayMilliseconds;
        var since = (firstDay - Rules.BaselineDays) * DayMilliseconds;
        var until = (lastDay + 1) * DayMilliseconds;
        var counts = await db.Database.SqlQueryRaw<AgencyDay>(VolumeSql, since, until).ToListAsync(cancellationToken);

        var flags = new List<AnomalyFlag>();
        foreach (var agency in counts.GroupBy(c => c.AgencyId, StringComparer.Ordinal))
        {
            var byDay = agency.ToDictionary(c => c.Day, c => c.Survivors);
            for (var day = firstDay; day <= lastDay; day++)
            {
                if (!byDay.TryGetValue(day, out var count))
                {
                    continue;
                }

                var baseline = Enumerable.Range(1, Rules.BaselineDays).Select(back => byDay.GetValueOrDefault(day - back)).ToList();
                var median = Median(baseline);
                var threshold = Math.Max(Rules.VolumeFloor, Rules.VolumeMultiplier * median);
                if (count <= threshold)
                {
                    continue;
                }

                var dayStart = DateTimeOffset.FromUnixTimeMilliseconds(day * DayMilliseconds);
                var dayEnd = dayStart.AddDays(1);
                var sequences = await db.Disclosures.AsNoTracking()
                    .Where(e => e.RecipientAgencyId == agency.Key && e.RecordedAt >= dayStart && e.RecordedAt < dayEnd)
                    .OrderBy(e => e.Sequence).Select(e => e.Sequence).Take(Rules.SequencesListed).ToListAsync(cancellationToken);
                flags.Add(new AnomalyFlag(AnomalyKind.UnusualVolume, agency.Key, null, dayStart, dayEnd, (int)count, threshold, sequences,
                    $"Agency {agency.Key} read the records of {count} different survivors on {dayStart:yyyy-MM-dd} (UTC). Its usual day, the median of "
                    + $"the {Rules.BaselineDays} days before, is {median.ToString("0.#", CultureInfo.InvariantCulture)}; a day above "
                    + $"{threshold.ToString("0.#", CultureInfo.InvariantCulture)} is flagged. Check that the agency had a reason to look at so many people."));
            }
        }

        return flags;
    }

    private async Task<List<AnomalyFlag>> PurposeOutsideMouAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var entries = await db.Disclosures.AsNoTracking().Where(e => e.RecordedAt >= from && e.RecordedAt < to)
            .OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.RecordedAt, e.RecipientAgencyId, e.PurposeOfUse, e.Decision, e.ResourceIds })
            .ToListAsync(cancellationToken);
        if (entries.Count == 0)
        {
            return [];
        }

        // The log does not name the source agency: the records it references do (their writer), as they are stored now.
        var recordIds = entries.SelectMany(e => e.ResourceIds).Select(IdOf).Distinct(StringComparer.Ordinal).ToList();
        var sources = (await db.FhirRecords.AsNoTracking().Where(r => recordIds.Contains(r.Id))
                .Select(r => new { r.ResourceType, r.Id, r.SourceAgencyId }).ToListAsync(cancellationToken))
            .ToDictionary(r => r.ResourceType + "/" + r.Id, r => r.SourceAgencyId, StringComparer.Ordinal);
        var recipients = entries.Select(e => e.RecipientAgencyId).Distinct().ToList();
        var mous = await db.Mous.AsNoTracking().Where(m => m.Flows.Any(f => recipients.Contains(f.RecipientAgencyId))).ToListAsync(cancellationToken);

        var outside = new List<(string Agency, string Purpose, bool Derived, long Sequence, DateTimeOffset At)>();
        foreach (var entry in entries)
        {
            bool Covers(Mou mou, string? source) =>
                InForce(mou, entry.RecordedAt)
                && mou.Flows.Any(f => f.RecipientAgencyId == entry.RecipientAgencyId && (source is null || f.SourceAgencyId == source))
                && mou.Purposes.Contains(entry.PurposeOfUse, StringComparer.Ordinal);

            var entrySources = entry.ResourceIds.Select(r => sources.GetValueOrDefault(r)).OfType<string>()
                .Where(s => s != entry.RecipientAgencyId).Distinct(StringComparer.Ordinal).ToList();
            var covered = entry.Decision == DisclosureDecision.Permit && entrySources.Count > 0
                ? entrySources.All(source => mous.Any(m => Covers(m, source)))
                : mous.Any(m => Covers(m, null));
            if (!covered)
            {
                outside.Add((entry.RecipientAgencyId, entry.PurposeOfUse, entrySources.Count > 0, entry.Sequence, entry.RecordedAt));
            }
        }

        return [.. outside.GroupBy(o => (o.Agency, o.Purpose, o.Derived)).Select(group =>
        {
            var (agency, purpose, derived) = group.Key;
            var count = group.Count();
            return new AnomalyFlag(AnomalyKind.PurposeOutsideMou, agency, null, group.Min(o => o.At), group.Max(o => o.At), count, null,
                [.. group.Select(o => o.Sequence).Take(Rules.SequencesListed)],
                derived
                    ? $"Agency {agency} received records for the purpose '{purpose}' {count} time(s), but no MOU in force at the time with the "
                      + "agency that wrote those records covers that purpose. Check the MOUs and why the records were released."
                    : $"Agency {agency} asked for records for the purpose '{purpose}' {count} time(s), and no MOU in force at the time with any "
                      + "agency lets it receive records for that purpose. The log does not say whose records were asked for, so this "
                      + "checks every MOU of the agency. Check why the agency asked.");
        })];
    }

    private async Task<List<AnomalyFlag>> RepeatedDenialsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // A run that started just before the window still counts when it reaches into it.
        var since = from - Rules.DeniedReadsWindow;
        var denied = await db.Disclosures.AsNoTracking()
            .Where(e => e.RecordedAt >= since && e.RecordedAt < to && e.Decision == DisclosureDecision.Deny)
            .OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.RecordedAt, e.RecipientAgencyId, e.SurvivorId })
            .ToListAsync(cancellationToken);
        var flags = new List<AnomalyFlag>();
        foreach (var pair in denied.GroupBy(d => (d.RecipientAgencyId, d.SurvivorId)))
        {
            var reads = pair.ToList();
            // The busiest span of the rule's length that ends inside the window.
            var (bestStart, bestCount) = (0, 0);
            for (int first = 0, last = 0; last < reads.Count; last++)
            {
                while (reads[last].RecordedAt - reads[first].RecordedAt >= Rules.DeniedReadsWindow)
                {
                    first++;
                }

                if (reads[last].RecordedAt >= from && last - first + 1 > bestCount)
                {
                    (bestStart, bestCount) = (first, last - first + 1);
                }
            }

            if (bestCount < Rules.DeniedReadsThreshold)
            {
                continue;
            }

            var run = reads.Skip(bestStart).Take(bestCount).ToList();
            var (agency, survivor) = pair.Key;
            flags.Add(new AnomalyFlag(AnomalyKind.RepeatedDenials, agency, survivor, run[0].RecordedAt, run[0].RecordedAt + Rules.DeniedReadsWindow,
                bestCount, Rules.DeniedReadsThreshold, [.. run.Select(r => r.Sequence).Take(Rules.SequencesListed)],
                $"Agency {agency} was refused the records of survivor {survivor} {bestCount} times within "
                + $"{Rules.DeniedReadsWindow.TotalHours.ToString(CultureInfo.InvariantCulture)} hours. Repeated tries at records the agency may not "
                + "see can mean someone is looking for this person; check with the agency."));
        }

        return flags;
    }

    /// <summary>Whether every party had signed and the MOU was between its dates and not yet terminated at that instant.</summary>
    internal static bool InForce(Mou mou, DateTimeOffset at)
    {
        if (mou.State is not (MouState.Signed or MouState.Terminated) || mou.Parties.Any(p => p.SignedAt is null || p.SignedAt > at))
        {
            return false;
        }

        return mou.EffectiveFrom <= at && at < mou.ExpiresAt && (mou.TerminatedAt is null || at < mou.TerminatedAt);
    }

    private static string IdOf(string reference) =>
        reference.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? reference[(slash + 1)..] : reference;

    private static double Median(List<long> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count == 0 ? 0 : values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
    }

    private sealed class AgencyDay
    {
        public string AgencyId { get; set; } = "";

        public long Day { get; set; }

        public long Survivors { get; set; }
    }
}
