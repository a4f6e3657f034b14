using System.Text;

namespace Consent.Api.Compliance;

/// <summary>
/// CSV as RFC 4180 writes it (comma separated, CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF,
/// quotes doubled), made safe to open in a spreadsheet: a text field that starts with <c>=</c>, <c>+</c>, <c>-</c>,
/// <c>@</c>, a tab or a carriage return gets a leading apostrophe, as OWASP advises against formula injection.
/// </summary>
public static class Csv
{
    public const string ContentType = "text/csv; charset=utf-8; header=present";

    /// <summary>UTF-8 without a byte-order mark: the header row's first field stays exactly its name.</summary>
    public static readonly Encoding Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>A text field from outside the platform's own formatting (ids, codes, names): neutralised, then quoted as needed.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return Quote(value);
    }

    /// <summary>A field the platform formats itself (numbers, instants, booleans): quoted as needed, never prefixed.</summary>
    public static string Plain(string value) => Quote(value);

    public static void AppendRow(StringBuilder line, IEnumerable<string> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                line.Append(',');
            }

            line.Append(field);
            first = false;
        }

        line.Append("\r\n");
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
