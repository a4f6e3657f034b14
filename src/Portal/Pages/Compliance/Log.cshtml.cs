using System.Security.Cryptography;
using Consent.Portal.ConsentApi;
using Consent.Portal.Vocabulary;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// The disclosure log search: the API's filters, a page of entries at a time in the log's order, each entry a card that
/// opens its details.
/// <para>
/// The form posts (with its antiforgery token) and the portal redirects to a GET of the results, so the back button,
/// paging links and a refresh work like any page. The filters that hold no personal data (agency, dates, purpose, basis,
/// decision) are written in that URL as they are. A survivor id is not: although pseudonymous, it ties one person to the
/// agencies that read about them, and a URL is kept in the browser's history, in proxy and server logs and in bookmarks.
/// It travels only encrypted by the portal (ASP.NET Core data protection), readable by this portal for the officer who
/// searched and only for a few hours, so the URL says nothing about whom the search was for.
/// </para>
/// </summary>
[ServiceFilter<PurposesOfUseFilter>]
public sealed partial class LogModel(ConsentApiClient api, IDataProtectionProvider protection, ILogger<LogModel> logger) : PageModel
{
    public const int PageSize = 25;
    private static readonly TimeSpan SurvivorFilterLifetime = TimeSpan.FromHours(8);

    public LogFilters Filters { get; private set; } = new();

    public IReadOnlyList<AgencyView> Agencies { get; private set; } = [];

    public ApiAnswer<DisclosureLogPage>? Results { get; private set; }

    /// <summary>Fields refused, by the portal (a date that is not one) or by the API.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>The cursor this page started after (null on the first page).</summary>
    public long? After { get; private set; }

    /// <summary>The encrypted survivor filter of this search, carried on to the next page.</summary>
    public string? Who { get; private set; }

    /// <summary>The encrypted survivor filter could not be read (expired, or made for someone else): the search ran without it.</summary>
    public bool SurvivorFilterLost { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] LogFilters filters, string? who, long? after, CancellationToken cancellationToken)
    {
        // A survivor id typed into the address bar is ignored: it is only taken from the form, see above.
        filters.Survivor = null;
        if (!string.IsNullOrEmpty(who))
        {
            filters.Survivor = Unprotect(who);
            SurvivorFilterLost = filters.Survivor is null;
            Who = filters.Survivor is null ? null : who;
        }

        Filters = filters;
        After = after;
        var agencies = api.GetAgenciesAsync(cancellationToken);
        var (query, errors) = filters.ToApiQuery();
        if (errors.Count > 0)
        {
            Errors = errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            Results = await api.SearchLogAsync(query, PageSize, after, cancellationToken);
            if (Results is { Status: ApiStatus.Refused, Problem: { } problem })
            {
                Errors = problem.Errors;
                Response.StatusCode = problem.Status;
            }
            else if (Results.Status is ApiStatus.Unavailable)
            {
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }
            else if (Results.Value is { } page)
            {
                LogSearched(logger, page.Items.Count);
            }
        }

        Agencies = (await agencies).Value ?? [];
        return Page();
    }

    public IActionResult OnPost([FromForm] LogFilters filters)
    {
        var query = filters.WithoutSurvivor();
        if (!string.IsNullOrWhiteSpace(filters.Survivor))
        {
            query["who"] = Protector().Protect(filters.Survivor.Trim(), SurvivorFilterLifetime);
        }

        return Redirect(QueryHelpers.AddQueryString("/compliance/log", query));
    }

    /// <summary>The same search from just after <paramref name="cursor"/>.</summary>
    public string PageLink(long? cursor)
    {
        var query = Filters.WithoutSurvivor();
        if (Who is not null)
        {
            query["who"] = Who;
        }

        if (cursor is { } after)
        {
            query["after"] = after.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return QueryHelpers.AddQueryString("/compliance/log", query);
    }

    public LogFilterForm Form => new(Filters, Errors, Agencies);

    private string? Unprotect(string token)
    {
        try
        {
            return Protector().Unprotect(token);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Bound to the signed-in officer: a link with the encrypted filter means nothing to anyone else.</summary>
    private ITimeLimitedDataProtector Protector() =>
        protection.CreateProtector("Consent.Portal.Compliance.LogSearch.Survivor", User.FindFirst("sub")?.Value ?? User.Identity?.Name ?? "")
            .ToTimeLimitedDataProtector();

    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Disclosure log searched from the compliance console: {Count} entries shown")]
    private static partial void LogSearched(ILogger logger, int count);
}
