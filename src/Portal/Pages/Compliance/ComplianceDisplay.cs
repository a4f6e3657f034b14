using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Consent.Portal.Pages.Compliance;

/// <summary>How the console writes instants: UTC, the same for every reader and every language.</summary>
internal static class ComplianceDisplay
{
    public static IHtmlContent Instant(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        var builder = new HtmlContentBuilder();
        builder.AppendHtml("<time datetime=\"");
        builder.Append(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        builder.AppendHtml("\">");
        builder.Append(utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        builder.AppendHtml("</time>");
        return builder;
    }

    public static string Number(double value) => value.ToString("0.#", CultureInfo.CurrentCulture);
}
