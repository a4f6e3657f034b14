using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace Consent.Api.Categories;

/// <summary>
/// Reads a record the way the policy sees it: which security labels it carries (checked against the label table)
/// and which configured data category it falls in.
/// </summary>
public sealed class RecordClassifier
{
    /// <summary>HL7 v3 confidentiality codes (U, L, M, N, R, V): kept on records, never sensitive labels.</summary>
    public const string ConfidentialitySystem = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

    private static readonly HashSet<string> ConfidentialityCodes = new(StringComparer.Ordinal) { "U", "L", "M", "N", "R", "V" };

    private readonly Dictionary<(string System, string Code), string> sensitiveLabels = [];
    private readonly List<(string Category, DataCategory Definition)> sensitiveCategories = [];
    private readonly Dictionary<string, string> generalCategory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> labelsOfCategory = new(StringComparer.Ordinal);

    public RecordClassifier(IOptions<DataCategoryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (code, category) in options.Value.Categories)
        {
            labelsOfCategory[code] = [.. category.Labels.Select(l => l.Code)];
            if (category.Sensitive)
            {
                sensitiveCategories.Add((code, category));
                foreach (var label in category.Labels)
                {
                    sensitiveLabels.TryAdd((label.System, label.Code), code);
                }

                continue;
            }

            foreach (var type in category.ResourceTypes)
            {
                generalCategory.TryAdd(type, code);
            }
        }
    }

    /// <summary>
    /// The label codes of <c>meta.security</c>, or the coding that is not in the label table. Sensitive labels must
    /// come with the system the table names (a PSY from another system is refused, never taken as harmless);
    /// confidentiality codes are kept as they are.
    /// </summary>
    public (IReadOnlyList<string> Labels, Coding? Unknown) Labels(Meta? meta)
    {
        var labels = new List<string>();
        foreach (var coding in meta?.Security ?? [])
        {
            if (coding.System is { } system && coding.Code is { } code && sensitiveLabels.ContainsKey((system, code)))
            {
                labels.Add(code);
            }
            else if (coding.System == ConfidentialitySystem && coding.Code is { } level && ConfidentialityCodes.Contains(level))
            {
                continue;
            }
            else
            {
                return ([], coding);
            }
        }

        return (labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), null);
    }

    /// <summary>
    /// The data category of a record: the sensitive category of its first sensitive label that covers the type,
    /// else the general category of the type; null when no category covers it (then nobody else may read it).
    /// </summary>
    public string? CategoryOf(string resourceType, IReadOnlyList<string> labels)
    {
        foreach (var (code, category) in sensitiveCategories)
        {
            if (category.ResourceTypes.Contains(resourceType, StringComparer.Ordinal)
                && category.Labels.Any(l => labels.Contains(l.Code, StringComparer.Ordinal)))
            {
                return code;
            }
        }

        return generalCategory.GetValueOrDefault(resourceType);
    }

    /// <summary>The sensitive labels a grant (or MOU) opens by naming categories.</summary>
    public IReadOnlyList<string> LabelsNamedBy(IEnumerable<string> categories) =>
        [.. categories.SelectMany(c => labelsOfCategory.GetValueOrDefault(c) ?? []).Distinct(StringComparer.Ordinal)];
}
