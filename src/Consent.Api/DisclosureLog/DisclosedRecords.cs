using Consent.Api.Categories;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.DisclosureLog;

/// <summary>What kinds of record a log entry disclosed: the labels the stored records carry now, and each record's data category.</summary>
public sealed class DisclosedRecords(ConsentDb db, RecordClassifier classifier)
{
    /// <summary>
    /// A consent directory's read: its Patients are reduced to the id and the identifier searched with, so they are not
    /// the survivor's contact details, whatever category a Patient falls in.
    /// </summary>
    public static bool ToConsentDirectory(DisclosureEntry entry) =>
        entry?.Basis.Any(b => b.Kind == DisclosureBasisKind.ConsentDirectory) == true;

    /// <summary>The security labels of the stored records the entries name (as the records carry them now).</summary>
    public async Task<Dictionary<string, List<string>>> LabelsAsync(List<DisclosureEntry> entries, CancellationToken cancellationToken)
    {
        var ids = entries.SelectMany(e => e.ResourceIds).Select(r => r.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? r[(slash + 1)..] : r)
            .Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var records = await db.FhirRecords.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.ResourceType, r.Id, r.Labels }).ToListAsync(cancellationToken);
        return records.ToDictionary(r => r.ResourceType + "/" + r.Id, r => r.Labels, StringComparer.Ordinal);
    }

    /// <summary>
    /// The data category of each record the entry references (null where none applies) with its resource type, in the
    /// entry's order: from the labels the stored record carries (see RecordClassifier), or the general category of its type.
    /// </summary>
    public IEnumerable<(string ResourceType, string? Category)> RecordCategories(DisclosureEntry entry, Dictionary<string, List<string>> labels)
    {
        if (entry.ResourceIds.Count == 0)
        {
            return [(entry.ResourceType, classifier.CategoryOf(entry.ResourceType, []))];
        }

        return entry.ResourceIds.Select(reference =>
        {
            var type = reference.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? reference[..slash] : entry.ResourceType;
            return (type, classifier.CategoryOf(type, labels.GetValueOrDefault(reference) ?? []));
        });
    }
}
