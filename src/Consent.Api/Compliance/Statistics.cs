using System.Globalization;
using System.Text;
using Consent.Api.Caller;
using Consent.Api.DisclosureLog;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Vocabulary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Compliance;

/// <summary>
/// De-identified counts for program evaluation: disclosures (permitted reads) and consent grants per recipient agency
/// TYPE, purpose and UTC month. No survivor, agency id or name appears. A cell counting fewer than
/// <see cref="ComplianceOptions.MinimumCellSize"/> is suppressed; no totals are given, so no suppressed cell can be
/// recovered by subtraction (see docs/compliance.md).
/// </summary>
public sealed record StatisticsReport(
    string From,
    string To,
    int MinimumCellSize,
    string Suppression,
    IReadOnlyList<StatisticsCell> Disclosures,
    IReadOnlyList<StatisticsCell> Grants);

/// <summary>One cell: <see cref="Count"/> is null when <see cref="Suppressed"/>.</summary>
public sealed record StatisticsCell(string Month, string AgencyType, string Purpose, string PurposeDisplay, int? Count, bool Suppressed);

public sealed record StatisticsQuery(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To);

public sealed partial class Statistics(
    ConsentDb db, IOptions<ComplianceOptions> options, VocabularyCatalogue vocabulary, TimeProvider time, ILogger<Statistics> logger)
{
    public const string SuppressionRule =
        "Cells below the minimum cell size are suppressed (count null). No row, column or grand totals are published, so a suppressed "
        + "cell cannot be worked out from the others; cells with no events are not listed.";

    public const string UnknownAgencyType = "unknown";

    private static readonly string[] Parameters = ["from", "to"];

    public async Task<Outcome<StatisticsReport>> ReportAsync(ApiCaller caller, StatisticsQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, Parameters, errors);
        var now = time.GetUtcNow();
        var thisMonth = new DateOnly(now.Year, now.Month, 1);
        var to = Month(query.To, "to", errors) ?? thisMonth;
        var from = Month(query.From, "from", errors) ?? to.AddMonths(-11);
        var maximum = options.Value.StatisticsMaximumMonths;
        if (errors.Count == 0 && from > to)
        {
            errors["to"] = ["The last month must not be before the first."];
        }
        else if (errors.Count == 0 && MonthsBetween(from, to) >= maximum)
        {
            errors["from"] = [$"At most {maximum} months at once."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddMonths(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var types = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.Type, StringComparer.Ordinal, cancellationToken);
        string TypeOf(string agencyId) => types.GetValueOrDefault(agencyId) ?? UnknownAgencyType;

        // Both are aggregated while streaming: memory grows with the number of cells, not of entries.
        var disclosures = new Dictionary<(string Month, string Type, string Purpose), int>();
        var permitted = db.Disclosures.AsNoTracking()
            .Where(e => e.RecordedAt >= start && e.RecordedAt < end && e.Decision == DisclosureDecision.Permit)
            .Select(e => new { e.RecordedAt, e.RecipientAgencyId, e.PurposeOfUse });
        await foreach (var entry in permitted.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var key = (MonthOf(entry.RecordedAt), TypeOf(entry.RecipientAgencyId), entry.PurposeOfUse);
            disclosures[key] = disclosures.GetValueOrDefault(key) + 1;
        }

        var grants = new Dictionary<(string Month, string Type, string Purpose), int>();
        var granted = db.Consents.AsNoTracking().Where(g => g.GrantedAt >= start && g.GrantedAt < end)
            .Select(g => new { g.GrantedAt, g.RecipientAgencyId, g.Purposes });
        await foreach (var grant in granted.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            foreach (var purpose in grant.Purposes.Distinct(StringComparer.Ordinal))
            {
                var key = (MonthOf(grant.GrantedAt), TypeOf(grant.RecipientAgencyId), purpose);
                grants[key] = grants.GetValueOrDefault(key) + 1;
            }
        }

        LogReported(logger, caller.Subject, disclosures.Count + grants.Count);
        return new StatisticsReport(from.ToString("yyyy-MM", CultureInfo.InvariantCulture), to.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            options.Value.MinimumCellSize, SuppressionRule, Cells(disclosures), Cells(grants));
    }

    public static string ToCsv(StatisticsReport report)
    {
        var text = new StringBuilder();
        Csv.AppendRow(text, ["measure", "month", "agencyType", "purpose", "purposeDisplay", "count"]);
        foreach (var (measure, cells) in new[] { ("disclosures", report.Disclosures), ("grants", report.Grants) })
        {
            foreach (var cell in cells)
            {
                Csv.AppendRow(text, [Csv.Plain(measure), Csv.Plain(cell.Month), Csv.Text(cell.AgencyType), Csv.Text(cell.Purpose), Csv.Text(cell.PurposeDisplay),
                    cell.Suppressed ? "suppressed" : cell.Count!.Value.ToString(CultureInfo.InvariantCulture)]);
            }
        }

        return text.ToString();
    }

    private List<StatisticsCell> Cells(Dictionary<(string Month, string Type, string Purpose), int> counts)
    {
        var minimum = options.Value.MinimumCellSize;
        return [.. counts.OrderBy(c => c.Key.Month, StringComparer.Ordinal).ThenBy(c => c.Key.Type, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Purpose, StringComparer.Ordinal)
            .Select(c => new StatisticsCell(c.Key.Month, c.Key.Type, c.Key.Purpose,
                vocabulary.Display(VocabularyKind.Purpose, c.Key.Purpose, CultureInfo.InvariantCulture),
                c.Value < minimum ? null : c.Value, c.Value < minimum))];
    }

    private static string MonthOf(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static int MonthsBetween(DateOnly from, DateOnly to) => ((to.Year - from.Year) * 12) + to.Month - from.Month;

    private static DateOnly? Month(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            return month;
        }

        errors[field] = ["A month as yyyy-MM, e.g. 2026-03."];
        return null;
    }

    [LoggerMessage(EventId = 4902, Level = LogLevel.Information, Message = "Program statistics read by {Subject}: {Cells} cells")]
    private static partial void LogReported(ILogger logger, string subject, int cells);
}
