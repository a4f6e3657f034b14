using System.Globalization;

namespace Consent.Api.Fhir;

/// <summary>A parsed search: which patient (by id or identifier), which time range and category, which page.</summary>
public sealed record FhirSearch(string ResourceType)
{
    public const int DefaultCount = 50;
    public const int MaxCount = 200;

    public string? PatientId { get; init; }

    /// <summary>A token: <c>system|value</c>; a value alone matches any system, <c>|value</c> only identifiers without one.</summary>
    public (string? System, string Value)? PatientIdentifier { get; init; }

    /// <summary><c>Patient?identifier=</c> only.</summary>
    public (string? System, string Value)? Identifier { get; init; }

    public DateTimeOffset? UpdatedFrom { get; init; }

    public DateTimeOffset? UpdatedBefore { get; init; }

    public (string? System, string Code)? Category { get; init; }

    /// <summary><c>Consent?status=</c> only.</summary>
    public string? Status { get; init; }

    /// <summary><c>Consent?scope=</c> only: code or system|code.</summary>
    public (string? System, string Code)? Scope { get; init; }

    public int Count { get; init; } = DefaultCount;

    public int Offset { get; init; }

    /// <summary>The query string of this search at another offset (for the bundle's links).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; } = [];

    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "_count", "_offset", "_lastUpdated", "_format", "patient", "patient:identifier", "subject", "subject:identifier",
    };

    /// <summary>The search, or a message naming what is wrong with the query.</summary>
    public static (FhirSearch? Search, string? Error) Parse(string resourceType, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var search = new FhirSearch(resourceType);
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in query)
        {
            var allowed = Common.Contains(name)
                || (name == "category" && resourceType != "Patient")
                || (name == "identifier" && resourceType == "Patient")
                || (name is "status" or "scope" && resourceType == "Consent");
            if (!allowed)
            {
                return (null, $"The search parameter '{Clip(name)}' is not supported on {resourceType}. Supported: patient, patient:identifier, "
                    + "subject, _lastUpdated, category, _count" + (resourceType == "Patient" ? ", identifier" : "") + (resourceType == "Consent" ? ", status, scope" : "") + ".");
            }

            if (name != "_lastUpdated" && values.Count > 1)
            {
                return (null, $"The search parameter '{name}' may be given once.");
            }

            foreach (var value in values)
            {
                if (string.IsNullOrEmpty(value) || value.Length > 512)
                {
                    return (null, $"The search parameter '{name}' needs a value of at most 512 characters.");
                }

                var (next, error) = search.With(name, value);
                if (error is not null)
                {
                    return (null, error);
                }

                search = next!;
                if (name is not "_offset" and not "_format")
                {
                    parameters.Add(new(name, value));
                }
            }
        }

        var byPatient = search.PatientId is not null || search.PatientIdentifier is not null;
        if (resourceType == "Patient" ? search.Identifier is null && !byPatient : !byPatient)
        {
            return (null, resourceType == "Patient"
                ? "Search Patients by identifier=system|value."
                : "Search by patient: patient=Patient/{id} or patient:identifier=system|value.");
        }

        return (search with { Parameters = parameters }, null);
    }

    private (FhirSearch? Search, string? Error) With(string name, string value)
    {
        switch (name)
        {
            case "patient" or "subject":
                var id = value.StartsWith("Patient/", StringComparison.Ordinal) ? value[8..] : value;
                return IsId(id) && PatientIdentifier is null && PatientId is null
                    ? (this with { PatientId = id }, null)
                    : (null, "patient must be one Patient id or Patient/{id}.");
            case "patient:identifier" or "subject:identifier":
                return Token(value) is { } token && PatientId is null && PatientIdentifier is null
                    ? (this with { PatientIdentifier = token }, null)
                    : (null, $"{name} must be system|value.");
            case "identifier":
                return Token(value) is { } identifier ? (this with { Identifier = identifier }, null) : (null, "identifier must be system|value.");
            case "category":
                return Coded(value) is { } category ? (this with { Category = category }, null) : (null, "category must be code or system|code.");
            case "scope":
                return Coded(value) is { } scope ? (this with { Scope = scope }, null) : (null, "scope must be code or system|code.");
            case "status":
                return (this with { Status = value }, null);
            case "_count":
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= MaxCount
                    ? (this with { Count = count }, null)
                    : (null, $"_count must be a whole number from 1 to {MaxCount}.");
            case "_offset":
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset is >= 0 and <= 1_000_000
                    ? (this with { Offset = offset }, null)
                    : (null, "_offset must be a whole number from 0.");
            case "_format":
                return value is "json" or "application/json" or "application/fhir+json" or "application/json+fhir"
                    ? (this, null)
                    : (null, "_format: this server answers JSON only.");
            case "_lastUpdated":
                return LastUpdated(value);
            default:
                return (null, $"The search parameter '{name}' is not supported.");
        }
    }

    private (FhirSearch? Search, string? Error) LastUpdated(string value)
    {
        var prefix = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
        var text = prefix == "eq" && !char.IsLetter(value[0]) ? value : value[2..];
        var dateOnly = text.Length == 10;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            || (!dateOnly && !text.Contains('T', StringComparison.Ordinal)))
        {
            return (null, "_lastUpdated must be [ge|gt|le|lt|eq] followed by a date (YYYY-MM-DD) or an instant with a time zone.");
        }

        // The end of the value's precision: the next day for a date, the next millisecond for an instant.
        var end = dateOnly ? at.AddDays(1) : at.AddMilliseconds(1);
        return prefix switch
        {
            "ge" => (this with { UpdatedFrom = Later(UpdatedFrom, at) }, null),
            "gt" => (this with { UpdatedFrom = Later(UpdatedFrom, end) }, null),
            "lt" => (this with { UpdatedBefore = Earlier(UpdatedBefore, at) }, null),
            "le" => (this with { UpdatedBefore = Earlier(UpdatedBefore, end) }, null),
            "eq" => (this with { UpdatedFrom = Later(UpdatedFrom, at), UpdatedBefore = Earlier(UpdatedBefore, end) }, null),
            _ => (null, "_lastUpdated supports the prefixes ge, gt, le, lt and eq."),
        };

        static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
        static DateTimeOffset Earlier(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;
    }

    /// <summary><c>system|value</c>, <c>|value</c> (no system) or <c>value</c> (any system, null).</summary>
    private static (string?, string)? Token(string value)
    {
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? (null, value)
            : bar < value.Length - 1 && value.IndexOf('|', bar + 1) < 0 ? (value[..bar], value[(bar + 1)..])
            : null;
    }

    /// <summary><c>code</c> or <c>system|code</c> (any system when none is given).</summary>
    private static (string?, string)? Coded(string value)
    {
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? (null, value) : bar == value.Length - 1 ? null : (bar == 0 ? null : value[..bar], value[(bar + 1)..]);
    }

    public static bool IsId(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');

    private static string Clip(string text) => text.Length > 40 ? text[..40] : text;
}
