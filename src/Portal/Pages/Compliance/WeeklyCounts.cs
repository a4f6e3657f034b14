using System.Globalization;
using Consent.Portal.ConsentApi;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// Disclosures per UTC week (weeks start on Monday), counted by recipient agency and by decision, from the log's own
/// entries. Every week of the period is listed, empty ones too, so a quiet week shows as a gap and not as nothing.
/// </summary>
public sealed class WeeklyCounts
{
    private readonly Dictionary<(DateOnly Week, string Agency), int> byAgency = [];
    private readonly Dictionary<(DateOnly Week, string Decision), int> byDecision = [];

    public WeeklyCounts(DateOnly firstWeek, int weeks)
    {
        Weeks = [.. Enumerable.Range(0, weeks).Select(i => firstWeek.AddDays(7 * i))];
    }

    public static readonly string[] Decisions = ["permit", "deny"];

    public IReadOnlyList<DateOnly> Weeks { get; }

    /// <summary>The agencies that received or were refused anything in the period, most entries first.</summary>
    public IReadOnlyList<string> Agencies =>
        [.. byAgency.GroupBy(c => c.Key.Agency).OrderByDescending(g => g.Sum(c => c.Value)).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key)];

    public int Total { get; private set; }

    public void Add(DisclosureEntryView entry)
    {
        var week = WeekOf(entry.RecordedAt);
        byAgency[(week, entry.RecipientAgencyId)] = byAgency.GetValueOrDefault((week, entry.RecipientAgencyId)) + 1;
        byDecision[(week, entry.Decision)] = byDecision.GetValueOrDefault((week, entry.Decision)) + 1;
        Total++;
    }

    public int ForAgency(DateOnly week, string agency) => byAgency.GetValueOrDefault((week, agency));

    public int ForDecision(DateOnly week, string decision) => byDecision.GetValueOrDefault((week, decision));

    public int InWeek(DateOnly week) => Decisions.Sum(d => ForDecision(week, d)) +
        byDecision.Where(c => c.Key.Week == week && !Decisions.Contains(c.Key.Decision)).Sum(c => c.Value);

    /// <summary>The Monday (UTC) of the week holding the instant.</summary>
    public static DateOnly WeekOf(DateTimeOffset instant)
    {
        var day = DateOnly.FromDateTime(instant.UtcDateTime);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    public static string Label(DateOnly week) => week.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
