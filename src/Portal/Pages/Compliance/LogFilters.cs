using System.Globalization;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// The filters of the disclosure log search and exports, as the officer typed them, and their translation into the query
/// of <c>GET /api/disclosures</c> (the exports take the same). Dates are whole UTC days: <c>From</c> is the first day
/// searched and <c>To</c> the last, so the API's exclusive end is the day after <c>To</c>. The API checks every value;
/// the portal only refuses what it cannot translate (a date that is not one).
/// </summary>
public sealed class LogFilters
{
    /// <summary>The kinds of basis, as the API names them in its filter and its answers.</summary>
    public static readonly string[] BasisKinds = ["consent-grant", "mou", "statutory-basis", "break-glass", "consent-directory"];

    public string? Agency { get; set; }

    /// <summary>A survivor's pseudonymous id: never put in a URL (see LogModel).</summary>
    public string? Survivor { get; set; }

    /// <summary>First day searched (yyyy-MM-dd, UTC).</summary>
    public string? From { get; set; }

    /// <summary>Last day searched (yyyy-MM-dd, UTC), included.</summary>
    public string? To { get; set; }

    public string? Purpose { get; set; }

    /// <summary>A basis kind: consent-grant, mou, statutory-basis or break-glass.</summary>
    public string? Basis { get; set; }

    /// <summary>The id of one grant, MOU, case or break-glass record, with <see cref="Basis"/>.</summary>
    public string? BasisId { get; set; }

    /// <summary>permit or deny.</summary>
    public string? Decision { get; set; }

    /// <summary>true (emergency reads only) or false (none of them).</summary>
    public string? BreakGlass { get; set; }

    public bool IsEmpty =>
        new[] { Agency, Survivor, From, To, Purpose, Basis, BasisId, Decision, BreakGlass }.All(string.IsNullOrWhiteSpace);

    /// <summary>
    /// The API's query for these filters, or the fields the portal could not translate (keyed by the API's names, as the
    /// API keys its own refusals, so both are shown the same way).
    /// </summary>
    public (Dictionary<string, string> Query, Dictionary<string, string[]> Errors) ToApiQuery()
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query[name] = value.Trim();
            }
        }

        Add("agency", Agency);
        Add("survivor", Survivor);
        if (Day(From, "from", errors) is { } from)
        {
            query["from"] = Instant(from);
        }

        if (Day(To, "to", errors) is { } to)
        {
            query["to"] = Instant(to.AddDays(1));
        }

        Add("purpose", Purpose);
        if (!string.IsNullOrWhiteSpace(BasisId) && string.IsNullOrWhiteSpace(Basis))
        {
            errors["basis"] = ["A basis id needs its kind."];
        }
        else if (!string.IsNullOrWhiteSpace(Basis))
        {
            query["basis"] = string.IsNullOrWhiteSpace(BasisId) ? Basis.Trim() : Basis.Trim() + ":" + BasisId.Trim();
        }

        Add("decision", Decision);
        Add("breakGlass", BreakGlass);
        return (query, errors);
    }

    /// <summary>The filters that hold no personal data, for a URL (the survivor is carried apart, see LogModel).</summary>
    public Dictionary<string, string?> WithoutSurvivor()
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                values[name] = value.Trim();
            }
        }

        Add("agency", Agency);
        Add("from", From);
        Add("to", To);
        Add("purpose", Purpose);
        Add("basis", Basis);
        Add("basisId", BasisId);
        Add("decision", Decision);
        Add("breakGlass", BreakGlass);
        return values;
    }

    private static DateOnly? Day(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        errors[field] = ["A date as yyyy-MM-dd."];
        return null;
    }

    private static string Instant(DateOnly day) => ComplianceDisplay.Day(day) + "T00:00:00Z";
}
