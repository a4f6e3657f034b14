using System.Globalization;
using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Consent.Portal.Display;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Compliance;

/// <summary>How the console writes instants: UTC, the same for every reader and every language.</summary>
internal static class ComplianceDisplay
{
    public static IHtmlContent Instant(DateTimeOffset at) =>
        TimeElement.Of(at, TimeElement.InstantFormat, at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));

    public static string Number(double value) => value.ToString("0.#", CultureInfo.CurrentCulture);

    /// <summary>A whole UTC day, as the console's date fields take it.</summary>
    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A purpose of use in everyday words, its code beside it (the code is what exports and agencies' systems show).</summary>
    public static string Purpose(IStringLocalizer<ComplianceStrings> text, string code) =>
        text["Purpose_" + code] is { ResourceNotFound: false } words ? $"{words.Value} ({code})" : code;

    public static string Decision(IStringLocalizer<ComplianceStrings> text, string decision) =>
        text["Decision_" + decision] is { ResourceNotFound: false } words ? words.Value : decision;

    /// <summary>What a basis is, in plain words (a kind the portal does not know yet is shown as the API names it).</summary>
    public static string BasisKind(IStringLocalizer<ComplianceStrings> text, string kind) =>
        text["BasisKind_" + kind] is { ResourceNotFound: false } words ? words.Value : kind;

    /// <summary>The name of an agency of the directory, or its id when the directory does not know it.</summary>
    public static string AgencyName(IReadOnlyList<AgencyView> agencies, string id) =>
        agencies.FirstOrDefault(a => a.Id == id)?.Name ?? id;

    /// <summary>What a failed check of the log means, in plain words.</summary>
    public static string FailureKind(IStringLocalizer<ComplianceStrings> text, string kind) =>
        text["Failure_" + kind] is { ResourceNotFound: false } words ? words.Value : kind;
}
