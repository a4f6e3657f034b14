using System.Globalization;
using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Consent.Portal.Display;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.My;

/// <summary>
/// How the survivor pages say the platform's words: categories, purposes and kinds of agency in everyday language (the
/// codes never reach the page on their own), dates in the reader's language.
/// </summary>
public static class SurvivorDisplay
{
    /// <summary>Everyday categories in the order a person thinks of them; any other category follows, by code.</summary>
    private static readonly string[] CategoryOrder = ["contact", "case-management", "health", "documents", "consents"];

    public static int CategoryRank(CategoryEntry category) =>
        Array.IndexOf(CategoryOrder, category.Code) is var index and >= 0 ? index : CategoryOrder.Length;

    /// <summary>How long a grant lasts: the purpose's usual length (decided by the API) or a shorter, fixed one in days.</summary>
    public static readonly IReadOnlyList<string> Lengths = ["usual", "7", "30", "90", "180"];

    public static string Category(IStringLocalizer<SurvivorStrings> s, string code, IEnumerable<CategoryEntry>? known = null) =>
        Text(s, "Category_" + code) ?? known?.FirstOrDefault(c => c.Code == code)?.Display ?? code;

    public static string? CategoryHint(IStringLocalizer<SurvivorStrings> s, string code) => Text(s, "CategoryHint_" + code);

    public static string Purpose(IStringLocalizer<SurvivorStrings> s, string code) => Text(s, "Purpose_" + code) ?? code;

    public static string? PurposeHint(IStringLocalizer<SurvivorStrings> s, string code) => Text(s, "PurposeHint_" + code);

    public static string Agency(IEnumerable<AgencyEntry>? agencies, string id) =>
        agencies?.FirstOrDefault(a => a.Id == id)?.Name ?? id;

    public static string? AgencyType(IStringLocalizer<SurvivorStrings> s, string? type) =>
        type is null ? null : Text(s, "AgencyType_" + type) ?? type;

    public static string Role(IStringLocalizer<SurvivorStrings> s, string role) => Text(s, "CaseRole_" + role) ?? role;

    public static string Length(IStringLocalizer<SurvivorStrings> s, string length) =>
        Text(s, "Length_" + length) ?? length;

    public static string List(IEnumerable<string> items) => string.Join(", ", items);

    /// <summary>A day in the reader's language, with its machine-readable form.</summary>
    public static IHtmlContent Date(DateTimeOffset at) => TimeElement.Of(at, TimeElement.DayFormat, DateText(at));

    /// <summary>A day in the reader's language, as plain text (inside a sentence).</summary>
    public static string DateText(DateTimeOffset at) => at.ToUniversalTime().ToString("D", CultureInfo.CurrentCulture);

    /// <summary>A date and time in the reader's language (UTC, said so).</summary>
    public static IHtmlContent Instant(DateTimeOffset at) =>
        TimeElement.Of(at, TimeElement.InstantFormat, DateText(at) + " " + at.ToUniversalTime().ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC");

    /// <summary>The consent text a grant with these categories names: the contact-only text when only contact details are shared, the general one otherwise.</summary>
    public static ConsentTextEntry? TextFor(IReadOnlyList<ConsentTextEntry> texts, IReadOnlyCollection<string> categories)
    {
        var current = texts.Where(t => t.Current).ToList();
        if (categories.Count == 1 && categories.Contains("contact") && current.FirstOrDefault(t => t.Id == "contact-sharing") is { } contact)
        {
            return contact;
        }

        return current.FirstOrDefault(t => t.Id == "general-sharing") ?? current.FirstOrDefault(t => t.Part2);
    }

    /// <summary>The text an approval of an agency's request names.</summary>
    public static ConsentTextEntry? ApprovalText(IReadOnlyList<ConsentTextEntry> texts) =>
        texts.FirstOrDefault(t => t.Current && t.Id == "request-approval") ?? TextFor(texts, ["substance-use"]);

    /// <summary>The paragraphs of a consent text.</summary>
    public static IEnumerable<string> Paragraphs(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Text(IStringLocalizer<SurvivorStrings> s, string key)
    {
        var text = s[key];
        return text.ResourceNotFound ? null : text.Value;
    }
}
