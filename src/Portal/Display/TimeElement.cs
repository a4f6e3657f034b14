using System.Globalization;
using Microsoft.AspNetCore.Html;

namespace Consent.Portal.Display;

/// <summary>An HTML <c>time</c> element: the instant in UTC for machines, and the text a page chose for people.</summary>
public static class TimeElement
{
    public const string DayFormat = "yyyy-MM-dd";

    public const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <param name="at">converted to UTC for the <c>datetime</c> attribute</param>
    /// <param name="machineFormat"><see cref="DayFormat"/> or <see cref="InstantFormat"/></param>
    /// <param name="text">what the reader sees, HTML-encoded</param>
    public static IHtmlContent Of(DateTimeOffset at, string machineFormat, string text)
    {
        var builder = new HtmlContentBuilder();
        builder.AppendHtml("<time datetime=\"");
        builder.Append(at.ToUniversalTime().ToString(machineFormat, CultureInfo.InvariantCulture));
        builder.AppendHtml("\">");
        builder.Append(text);
        builder.AppendHtml("</time>");
        return builder;
    }
}
