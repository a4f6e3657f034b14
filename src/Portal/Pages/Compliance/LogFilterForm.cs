using Consent.Portal.ConsentApi;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// What the filter fields of the log search and the exports show: the values typed, the fields refused (by the API or,
/// for a date that is not one, by the portal; keyed by the API's names) and the agencies to choose from.
/// </summary>
public sealed record LogFilterForm(LogFilters Values, IReadOnlyDictionary<string, string[]> Errors, IReadOnlyList<AgencyView> Agencies)
{
    /// <summary>The fields the form has, by the API's names; a refusal of anything else is shown above the form.</summary>
    public static readonly string[] Fields = ["agency", "survivor", "from", "to", "purpose", "basis", "decision", "breakGlass"];

    public bool HasError(string field) => Errors.ContainsKey(field);

    /// <summary>The API's messages about fields the form does not have (an unexpected refusal), to show as they came.</summary>
    public IEnumerable<string> OtherErrors => Errors.Where(e => !Fields.Contains(e.Key)).SelectMany(e => e.Value);
}
