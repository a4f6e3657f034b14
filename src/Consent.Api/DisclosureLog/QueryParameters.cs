using System.Globalization;

namespace Consent.Api.DisclosureLog;

/// <summary>How every list and search of the API reads its query string: unknown or repeated parameters refused, page sizes and cursors checked.</summary>
public static class QueryParameters
{
    /// <summary>An unknown or repeated parameter is refused rather than ignored: a mistyped filter must not widen the answer.</summary>
    public static void Check(IQueryCollection sent, string[] known, Dictionary<string, string[]> errors)
    {
        foreach (var (key, values) in sent)
        {
            var name = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                errors[key] = ["Unknown parameter; known: " + string.Join(", ", known) + "."];
            }
            else if (values.Count > 1)
            {
                errors[name] = ["Give this parameter at most once."];
            }
            else if (string.IsNullOrEmpty(values[0]))
            {
                errors[name] = ["Give a value, or leave the parameter out."];
            }
        }
    }

    public static int Limit(string? text, int defaultLimit, int maximum, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return defaultLimit;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= maximum)
        {
            return limit;
        }

        errors["limit"] = [$"A whole number from 1 to {maximum}."];
        return defaultLimit;
    }

    public static long? Sequence(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return sequence;
        }

        errors[field] = ["A sequence number (a whole number, 0 or more)."];
        return null;
    }
}
