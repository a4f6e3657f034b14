using System.Globalization;
using System.Security.Claims;
using Consent.Portal.AgencyAdmin;
using Consent.Portal.Localization;
using Consent.Portal.SignIn;
using Consent.Portal.Display;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Agency;

/// <summary>How the agency pages name things: agencies by name, purposes, categories and statuses in everyday words.</summary>
public static class AgencyDisplay
{
    /// <summary>An MOU ending within this many days is flagged.</summary>
    public const int ExpiryWarningDays = 30;

    /// <summary>The agency the signed-in admin acts for; null for a platform admin.</summary>
    public static string? OwnAgency(ClaimsPrincipal user) => user.FindFirst(PortalClaims.AgencyId)?.Value is { Length: > 0 } id ? id : null;

    public static string AgencyName(IReadOnlyDictionary<string, string> names, string agencyId) =>
        names.TryGetValue(agencyId, out var name) ? name : agencyId;

    public static IReadOnlyDictionary<string, string> Names(IEnumerable<DirectoryAgency>? agencies) =>
        (agencies ?? []).ToDictionary(agency => agency.Id, agency => agency.Name, StringComparer.Ordinal);

    public static string Purpose(IStringLocalizer<AgencyStrings> text, string code) => Known(text, "Purpose_" + code, code);

    public static string Category(IStringLocalizer<AgencyStrings> text, string code, string? display = null) =>
        Known(text, "Category_" + code, display ?? code);

    public static string Status(IStringLocalizer<AgencyStrings> text, MouStatus status) => text["Status_" + status];

    /// <summary>Days left before an MOU in force (or about to be) ends, when that is within the warning window.</summary>
    public static int? DaysToExpiry(Mou mou, DateTimeOffset now)
    {
        if (mou.Status is not (MouStatus.Active or MouStatus.Signed))
        {
            return null;
        }

        var days = (int)Math.Ceiling((mou.ExpiresAt - now).TotalDays);
        return days <= ExpiryWarningDays ? Math.Max(days, 0) : null;
    }

    /// <summary>A calendar date in UTC, the same for every reader (MOU dates start and end at midnight UTC).</summary>
    public static IHtmlContent Date(DateTimeOffset at) => TimeElement.Of(at, TimeElement.DayFormat, DateInput(at));

    /// <summary>The date an <c>input type=date</c> holds.</summary>
    public static string DateInput(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An <c>input type=date</c> value as midnight UTC; null when it is not a date.</summary>
    public static DateTimeOffset? ParseDate(string? value) =>
        DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null;

    /// <summary>What an SMART scope lets a system do, in words.</summary>
    public static string Scope(IStringLocalizer<AgencyStrings> text, string scope) => scope switch
    {
        "system/*.rs" => text["Scope_ReadAll"],
        "system/*.cruds" => text["Scope_WriteAll"],
        _ when scope.StartsWith("system/", StringComparison.Ordinal) && scope.EndsWith(".rs", StringComparison.Ordinal) =>
            text["Scope_ReadType", scope["system/".Length..^".rs".Length]],
        _ when scope.StartsWith("system/", StringComparison.Ordinal) && scope.EndsWith(".cruds", StringComparison.Ordinal) =>
            text["Scope_WriteType", scope["system/".Length..^".cruds".Length]],
        _ => scope,
    };

    private static string Known(IStringLocalizer<AgencyStrings> text, string key, string fallback)
    {
        var found = text[key];
        return found.ResourceNotFound ? fallback : found.Value;
    }
}
