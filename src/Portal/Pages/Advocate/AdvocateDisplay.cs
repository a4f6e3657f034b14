using System.Globalization;
using Consent.Portal.Localization;
using Consent.ServiceDefaults.Localization;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// The words of the case-manager pages for the API's codes (how consent was given, purposes, categories, roles), the
/// codes the forms offer, and how dates are written. A code without words of its own is shown with the API's wording.
/// </summary>
public static class AdvocateDisplay
{
    /// <summary>How an advocate records consent: signed on paper in front of them, or said aloud (short-lived).</summary>
    public static readonly IReadOnlyList<string> Methods = ["witnessed-paper", "verbal"];

    public static readonly IReadOnlyList<string> DecisionMakerKinds = ["guardian", "custodial-agency", "court"];

    public static readonly IReadOnlyList<string> ReporterRoles = ["advocate", "child-protection-worker", "mandated-reporter"];

    public static readonly IReadOnlyList<string> InvolvedRoles = ["child-protection", "law-enforcement", "therapist", "medical-provider"];

    /// <summary>The words for a code (<paramref name="prefix"/> + code in the strings), else the fallback, else the code.</summary>
    public static string Word(this IStringLocalizer<AdvocateStrings> text, string prefix, string code, string? fallback = null)
    {
        var own = text[prefix + code];
        return own.ResourceNotFound ? fallback ?? code : own.Value;
    }

    public static string Date(DateOnly day) => day.ToString("D", CultureInfo.CurrentCulture);

    /// <summary>The day of an instant, in UTC (ends and starts of grants are instants).</summary>
    public static string Date(DateTimeOffset at) => Date(DateOnly.FromDateTime(at.UtcDateTime));

    /// <summary>A language code (<c>es</c>) named in that language (<c>Español</c>), as the layout's language menu names it.</summary>
    public static string Language(string code) => PageLanguages.NativeName(code);

    /// <summary>An agency's name from the directory, else its id.</summary>
    public static string Agency(IReadOnlyDictionary<string, string> names, string id) => names.GetValueOrDefault(id) ?? id;
}
