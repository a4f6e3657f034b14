using System.Globalization;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// Disclosures per week, by recipient agency and by decision, drawn on the server as SVG.
/// <para>
/// The counts come from the log search (<c>GET /api/disclosures</c> with <c>from</c>, a thousand entries a call), not
/// from <c>GET /api/compliance/statistics</c>: the statistics are de-identified for program evaluation, so they count
/// per month and per agency TYPE, only permitted reads, and suppress small cells; a compliance officer needs each agency,
/// each week, refusals included, and exact numbers that match the log. The period is a few weeks, and the search stops at
/// <see cref="MaximumEntries"/> entries rather than keep the page waiting; beyond that the page says to use the exports.
/// </para>
/// The period is chosen with a GET form: a number of weeks holds nothing about anyone.
/// </summary>
public sealed partial class ChartsModel(ConsentApiClient api, TimeProvider time, ILogger<ChartsModel> logger) : PageModel
{
    public static readonly int[] PeriodChoices = [4, 8, 12, 26];
    public const int DefaultWeeks = 8;
    public const int MaximumEntries = 20_000;
    private const int PageLimit = 1000;

    public int Weeks { get; private set; } = DefaultWeeks;

    public WeeklyCounts? Counts { get; private set; }

    public IReadOnlyList<AgencyView> Agencies { get; private set; } = [];

    public ApiStatus Status { get; private set; } = ApiStatus.Ok;

    /// <summary>More entries than <see cref="MaximumEntries"/> in the period: nothing is drawn rather than a part.</summary>
    public bool TooMany { get; private set; }

    /// <summary>The first instant counted (Monday 00:00 UTC of the first week).</summary>
    public DateOnly FirstWeek { get; private set; }

    public async Task OnGetAsync(int? weeks, CancellationToken cancellationToken)
    {
        Weeks = weeks is { } chosen && PeriodChoices.Contains(chosen) ? chosen : DefaultWeeks;
        FirstWeek = WeeklyCounts.WeekOf(time.GetUtcNow()).AddDays(-7 * (Weeks - 1));
        var agencies = api.GetAgenciesAsync(cancellationToken);
        var counts = new WeeklyCounts(FirstWeek, Weeks);
        var filters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["from"] = ComplianceDisplay.Day(FirstWeek) + "T00:00:00Z",
        };
        long? after = null;
        while (true)
        {
            var page = await api.SearchLogAsync(filters, PageLimit, after, cancellationToken);
            if (page.Value is not { } entries)
            {
                Status = page.Status is ApiStatus.Ok ? ApiStatus.Unavailable : page.Status;
                break;
            }

            foreach (var entry in entries.Items)
            {
                counts.Add(entry);
            }

            after = ComplianceLogApi.NextCursor(entries);
            if (after is null)
            {
                Counts = counts;
                break;
            }

            if (counts.Total >= MaximumEntries)
            {
                TooMany = true;
                break;
            }
        }

        Agencies = (await agencies).Value ?? [];
        if (Status is ApiStatus.Unavailable or ApiStatus.Refused)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
        else if (Counts is { } drawn)
        {
            LogCharted(logger, Weeks, drawn.Total);
        }
    }

    [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "Disclosure charts drawn for {Weeks} weeks: {Count} entries")]
    private static partial void LogCharted(ILogger logger, int weeks, int count);
}
