using System.Globalization;
using System.Text.Json.Serialization;
using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Api.Vocabulary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureLog;

/// <summary>A survivor's accounting of disclosures: what left, to whom, why and on what basis; newest first.</summary>
public sealed record SurvivorDisclosurePage(IReadOnlyList<SurvivorDisclosure> Items, string? Next);

/// <summary>
/// One permitted disclosure as the survivor sees it. Never the recipient's user id (a member of staff could be
/// endangered by it); the recipient's client id only for staff.
/// </summary>
public sealed record SurvivorDisclosure(
    long Sequence,
    DateTimeOffset At,
    RecipientView Recipient,
    IReadOnlyList<string> Records,
    PurposeView Purpose,
    IReadOnlyList<BasisView> Basis,
    bool BreakGlass,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId);

public sealed record RecipientView(string Id, string Name, string? Type);

public sealed record PurposeView(string Code, string Display);

public sealed record BasisView(DisclosureBasisKind Kind, string Id, string Label);

/// <summary>Query parameters of <c>GET /api/survivors/{id}/disclosures</c>, as sent; parsed by <see cref="DisclosureQueries"/>.</summary>
public sealed record SurvivorDisclosuresQuery(
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "before")] string? Before);

/// <summary>
/// A survivor's accounting of disclosures, as the survivor (or staff who may see them) reads it: newest first, from
/// the log's survivor + sequence index, one more than the page to know whether there is a next.
/// </summary>
public sealed partial class SurvivorDisclosures(
    ConsentDb db, SurvivorAccess access, DisclosedRecords records, IOptions<DataCategoryOptions> categories, VocabularyCatalogue vocabulary,
    ILogger<SurvivorDisclosures> logger)
{
    public const int DefaultLimit = 50;
    public const int MaximumLimit = 200;

    private static readonly string[] SurvivorParameters = ["limit", "before"];

    public async Task<Outcome<SurvivorDisclosurePage>> ForSurvivorAsync(
        ApiCaller caller, string survivorId, SurvivorDisclosuresQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        // Whether the survivor exists and may be seen is answered first, so a foreign id never learns more than a missing one.
        var read = await access.ReadAsync(caller, survivorId, cancellationToken);
        if (read.Problem is { } hidden)
        {
            return hidden;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, SurvivorParameters, errors);
        var limit = QueryParameters.Limit(query.Limit, DefaultLimit, MaximumLimit, errors);
        var before = QueryParameters.Sequence(query.Before, "before", errors);
        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var entries = db.Disclosures.AsNoTracking()
            .Where(e => e.SurvivorId == survivorId && e.Decision == DisclosureDecision.Permit);
        if (before is { } cursor)
        {
            entries = entries.Where(e => e.Sequence < cursor);
        }

        var page = await entries.OrderByDescending(e => e.Sequence).Take(limit + 1).ToListAsync(cancellationToken);
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(limit);
        }

        var agencyIds = page.Select(e => e.RecipientAgencyId).Distinct().ToList();
        var agencies = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => new RecipientView(a.Id, a.Name, a.Type), StringComparer.Ordinal, cancellationToken);
        var staff = !caller.IsSurvivor;
        var labels = await records.LabelsAsync(page, cancellationToken);
        var items = page.Select(e => new SurvivorDisclosure(
            e.Sequence,
            e.RecordedAt,
            agencies.GetValueOrDefault(e.RecipientAgencyId) ?? new RecipientView(e.RecipientAgencyId, e.RecipientAgencyId, null),
            RecordKinds(e, labels),
            Purpose(e.PurposeOfUse),
            [.. e.Basis.OrderBy(b => b.Kind == DisclosureBasisKind.Mou).Select(b => new BasisView(b.Kind, b.Id, BasisLabel(b.Kind)))],
            e.BreakGlass,
            staff ? e.ClientId : null)).ToList();
        var next = more
            ? QueryHelpers.AddQueryString($"/api/survivors/{Uri.EscapeDataString(survivorId)}/disclosures", new Dictionary<string, string?>
            {
                ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
                ["before"] = page[^1].Sequence.ToString(CultureInfo.InvariantCulture),
            })
            : null;
        LogSurvivorRead(logger, survivorId, items.Count);
        return new SurvivorDisclosurePage(items, next);
    }

    /// <summary>
    /// The kinds of records in the survivor's words: each record's data category, sensitive ones included (a
    /// PSY-labelled Condition is "Mental health", not "Health"), from the labels the stored record carries; a record
    /// that is not stored (a consent grant exported as FHIR) by the general category of its type.
    /// </summary>
    private List<string> RecordKinds(DisclosureEntry entry, Dictionary<string, List<string>> labels) =>
        DisclosedRecords.ToConsentDirectory(entry) && entry.ResourceType == "Patient"
            ? ["The identifier that finds your sharing choices (no contact details)"]
            : [.. records.RecordCategories(entry, labels).Select(c => c.Category is { } code && categories.Value.Categories.TryGetValue(code, out var definition)
            ? definition.Display
            : c.ResourceType).Distinct(StringComparer.Ordinal)];

    private PurposeView Purpose(string code) => new(code, vocabulary.Display(VocabularyKind.Purpose, code, CultureInfo.InvariantCulture));

    /// <summary>What let the record go, in plain words; the agencies' MOU is listed after the consent, law or emergency it served.</summary>
    private static string BasisLabel(DisclosureBasisKind kind) => kind switch
    {
        DisclosureBasisKind.ConsentGrant => "Your consent",
        DisclosureBasisKind.Mou => "Agreement between the agencies",
        DisclosureBasisKind.StatutoryBasis => "Required by law (child protection)",
        DisclosureBasisKind.BreakGlass => "Emergency access",
        DisclosureBasisKind.ConsentDirectory => "Consent directory service",
        _ => kind.ToString(),
    };

    [LoggerMessage(EventId = 4811, Level = LogLevel.Information, Message = "Disclosures of survivor {SurvivorId} read: {Count} entries")]
    private static partial void LogSurvivorRead(ILogger logger, string survivorId, int count);
}
