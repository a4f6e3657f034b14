using System.Globalization;
using System.Text.Json.Serialization;
using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.Fhir;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
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

/// <summary>A page of the full log for compliance review, in sequence order.</summary>
public sealed record DisclosureLogPage(IReadOnlyList<DisclosureEntryView> Items, string? Next);

/// <summary>An entry exactly as recorded, hashes included, so a reviewer can check the chain.</summary>
public sealed record DisclosureEntryView(
    long Sequence, DateTimeOffset RecordedAt, string RecipientAgencyId, string ClientId, string? UserId, string SurvivorId,
    string ResourceType, IReadOnlyList<string> ResourceIds, string PurposeOfUse, DisclosureDecision Decision,
    IReadOnlyList<DisclosureBasis> Basis, string PolicyVersion, string RequestId, bool BreakGlass, string PreviousHash, string Hash)
{
    public static DisclosureEntryView Of(DisclosureEntry e) => new(
        e.Sequence, e.RecordedAt, e.RecipientAgencyId, e.ClientId, e.UserId, e.SurvivorId, e.ResourceType, e.ResourceIds, e.PurposeOfUse,
        e.Decision, e.Basis, e.PolicyVersion, e.RequestId, e.BreakGlass, e.PreviousHash, e.Hash);
}

/// <summary>Query parameters of <c>GET /api/survivors/{id}/disclosures</c>, as sent; parsed by <see cref="DisclosureQueries"/>.</summary>
public sealed record SurvivorDisclosuresQuery(
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "before")] string? Before);

/// <summary>Query parameters of <c>GET /api/disclosures</c>, as sent; parsed by <see cref="DisclosureQueries"/>.</summary>
public sealed record DisclosureLogQuery(
    [FromQuery(Name = "agency")] string? Agency,
    [FromQuery(Name = "survivor")] string? Survivor,
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "purpose")] string? Purpose,
    [FromQuery(Name = "basis")] string? Basis,
    [FromQuery(Name = "decision")] string? Decision,
    [FromQuery(Name = "breakGlass")] string? BreakGlass,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "after")] string? After);

/// <summary>
/// Reading the disclosure log: the survivor's accounting of disclosures and the compliance officer's search.
/// Every query filters, orders by sequence and takes one more than the page, using the log's indexes
/// (survivor + sequence, agency + sequence, time, and the sequence itself).
/// </summary>
public sealed partial class DisclosureQueries(
    ConsentDb db, SurvivorAccess access, IOptions<DataCategoryOptions> categories, IOptions<ConsentOptions> consents,
    RecordClassifier classifier, ILogger<DisclosureQueries> logger)
{
    public const int SurvivorDefaultLimit = 50;
    public const int SurvivorMaximumLimit = 200;
    public const int LogDefaultLimit = 100;
    public const int LogMaximumLimit = 1000;

    private static readonly string[] SurvivorParameters = ["limit", "before"];
    internal static readonly string[] LogParameters = ["agency", "survivor", "from", "to", "purpose", "basis", "decision", "breakGlass", "limit", "after"];

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
        CheckParameters(sent, SurvivorParameters, errors);
        var limit = ParseLimit(query.Limit, SurvivorDefaultLimit, SurvivorMaximumLimit, errors);
        var before = ParseSequence(query.Before, "before", errors);
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
        var labels = await LabelsAsync(page, cancellationToken);
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

    public async Task<Outcome<DisclosureLogPage>> SearchAsync(
        ApiCaller caller, DisclosureLogQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var parsed = DisclosureSearch.Parse(query, sent);
        if (parsed.Problem is { } invalid)
        {
            return invalid;
        }

        var search = parsed.Value!;
        var entries = await FilterAsync(search, cancellationToken);
        if (search.After is { } after)
        {
            entries = entries.Where(e => e.Sequence > after);
        }

        var page = await entries.OrderBy(e => e.Sequence).Take(search.Limit + 1).ToListAsync(cancellationToken);
        var more = page.Count > search.Limit;
        if (more)
        {
            page.RemoveAt(search.Limit);
        }

        LogSearched(logger, caller.Subject, page.Count);
        return new DisclosureLogPage([.. page.Select(DisclosureEntryView.Of)], more ? search.NextLink(page[^1].Sequence) : null);
    }

    /// <summary>
    /// The entries a validated search selects (every filter but the <c>after</c> cursor and the page size), unordered:
    /// the compliance search pages through it, and the compliance exports stream it.
    /// </summary>
    internal async Task<IQueryable<DisclosureEntry>> FilterAsync(DisclosureSearch search, CancellationToken cancellationToken)
    {
        var entries = db.Disclosures.AsNoTracking();
        if (search.Agency is { } agency)
        {
            entries = entries.Where(e => e.RecipientAgencyId == agency);
        }

        if (search.Survivor is { } survivor)
        {
            entries = entries.Where(e => e.SurvivorId == survivor);
        }

        if (search.From is { } from)
        {
            entries = entries.Where(e => e.RecordedAt >= from);
            // Entries are recorded in time order, so the time range is also a sequence range, which every other index can use.
            if (await FirstAtOrAfterAsync(from, cancellationToken) is { } first)
            {
                entries = entries.Where(e => e.Sequence >= first);
            }
        }

        if (search.To is { } to)
        {
            entries = entries.Where(e => e.RecordedAt < to);
            if (await FirstAtOrAfterAsync(to, cancellationToken) is { } end)
            {
                entries = entries.Where(e => e.Sequence < end);
            }
        }

        if (search.Purpose is { } purpose)
        {
            entries = entries.Where(e => e.PurposeOfUse == purpose);
        }

        if (search.BasisKind is { } kind)
        {
            // Basis is a JSON list of "Kind:id" texts: EF Core matches its elements through json_each.
            if (search.BasisId is { } id)
            {
                var whole = new DisclosureBasis(kind, id);
                entries = entries.Where(e => e.Basis.Any(b => b == whole));
            }
            else
            {
                var prefix = $"{kind}:%";
                entries = entries.Where(e => e.Basis.Any(b => EF.Functions.Like((string)(object)b, prefix)));
            }
        }

        if (search.Decision is { } decision)
        {
            entries = entries.Where(e => e.Decision == decision);
        }

        if (search.BreakGlass is { } breakGlass)
        {
            entries = entries.Where(e => e.BreakGlass == breakGlass);
        }

        return entries;
    }

    /// <summary>The sequence of the first entry recorded at or after the instant (found through the time index), if any.</summary>
    private Task<long?> FirstAtOrAfterAsync(DateTimeOffset instant, CancellationToken cancellationToken) =>
        db.Disclosures.AsNoTracking().Where(e => e.RecordedAt >= instant).OrderBy(e => e.RecordedAt).ThenBy(e => e.Sequence)
            .Select(e => (long?)e.Sequence).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The security labels of the stored records the entries name (as the records carry them now).</summary>
    internal async Task<Dictionary<string, List<string>>> LabelsAsync(List<DisclosureEntry> entries, CancellationToken cancellationToken)
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
    /// The kinds of records in the survivor's words: each record's data category, sensitive ones included (a
    /// PSY-labelled Condition is "Mental health", not "Health"), from the labels the stored record carries; a record
    /// that is not stored (a consent grant exported as FHIR) by the general category of its type.
    /// </summary>
    private List<string> RecordKinds(DisclosureEntry entry, Dictionary<string, List<string>> labels) =>
        [.. RecordCategories(entry, labels).Select(c => c.Category is { } code && categories.Value.Categories.TryGetValue(code, out var definition)
            ? definition.Display
            : c.ResourceType).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The data category of each record the entry references (null where none applies) with its resource type, in the
    /// entry's order: from the labels the stored record carries (see RecordClassifier), or the general category of its type.
    /// </summary>
    internal IEnumerable<(string ResourceType, string? Category)> RecordCategories(DisclosureEntry entry, Dictionary<string, List<string>> labels)
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

    private PurposeView Purpose(string code)
    {
        var purposes = consents.Value.Purposes;
        var configured = purposes.Values.FirstOrDefault(p => string.Equals(p.Code, code, StringComparison.Ordinal))
            ?? purposes.GetValueOrDefault(code);
        return new PurposeView(code, configured?.Display ?? code);
    }

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

    /// <summary>An unknown or repeated parameter is refused rather than ignored: a mistyped filter must not widen the answer.</summary>
    internal static void CheckParameters(IQueryCollection sent, string[] known, Dictionary<string, string[]> errors)
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

    internal static int ParseLimit(string? text, int defaultLimit, int maximum, Dictionary<string, string[]> errors)
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

    internal static long? ParseSequence(string? text, string field, Dictionary<string, string[]> errors)
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

    [LoggerMessage(EventId = 4811, Level = LogLevel.Information, Message = "Disclosures of survivor {SurvivorId} read: {Count} entries")]
    private static partial void LogSurvivorRead(ILogger logger, string survivorId, int count);

    [LoggerMessage(EventId = 4812, Level = LogLevel.Information, Message = "Disclosure log searched by {Subject}: {Count} entries")]
    private static partial void LogSearched(ILogger logger, string subject, int count);
}

/// <summary>A validated compliance search: every filter optional, every value checked.</summary>
internal sealed record DisclosureSearch(
    string? Agency, string? Survivor, DateTimeOffset? From, DateTimeOffset? To, string? Purpose, DisclosureBasisKind? BasisKind, string? BasisId,
    DisclosureDecision? Decision, bool? BreakGlass, int Limit, long? After)
{
    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mmzzz",
    ];

    public static Outcome<DisclosureSearch> Parse(DisclosureLogQuery query, IQueryCollection sent) =>
        Parse(query, sent, DisclosureQueries.LogDefaultLimit, DisclosureQueries.LogMaximumLimit);

    /// <summary>The same filters and checks with another page size (the exports take more entries at once).</summary>
    public static Outcome<DisclosureSearch> Parse(DisclosureLogQuery query, IQueryCollection sent, int defaultLimit, int maximumLimit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        DisclosureQueries.CheckParameters(sent, DisclosureQueries.LogParameters, errors);
        var agency = Text(query.Agency, "agency", errors);
        var survivor = Text(query.Survivor, "survivor", errors);
        var from = Instant(query.From, "from", errors);
        var to = Instant(query.To, "to", errors);
        if (from is not null && to is not null && from >= to)
        {
            errors["to"] = ["The end of the time range (exclusive) must be after its start."];
        }

        var purpose = Text(query.Purpose, "purpose", errors);
        var (basisKind, basisId) = BasisOf(query.Basis, errors);
        DisclosureDecision? decision = query.Decision switch
        {
            null => null,
            "permit" => DisclosureDecision.Permit,
            "deny" => DisclosureDecision.Deny,
            _ => Refuse<DisclosureDecision>(errors, "decision", "permit or deny."),
        };
        bool? breakGlass = query.BreakGlass switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Refuse<bool>(errors, "breakGlass", "true or false."),
        };
        var limit = DisclosureQueries.ParseLimit(query.Limit, defaultLimit, maximumLimit, errors);
        var after = DisclosureQueries.ParseSequence(query.After, "after", errors);
        return errors.Count > 0
            ? new Problem(ProblemCatalogue.InvalidRequest, null, errors)
            : new DisclosureSearch(agency, survivor, from, to, purpose, basisKind, basisId, decision, breakGlass, limit, after);
    }

    /// <summary>The same search from just after <paramref name="lastSequence"/>, filters in their canonical form.</summary>
    public string NextLink(long lastSequence, string path = "/api/disclosures")
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parameters[name] = value;
            }
        }

        Add("agency", Agency);
        Add("survivor", Survivor);
        Add("from", From?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        Add("to", To?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        Add("purpose", Purpose);
        Add("basis", BasisKind is { } kind ? (BasisId is null ? kind.ToString() : new DisclosureBasis(kind, BasisId).ToString()) : null);
        Add("decision", Decision is { } d ? (d == DisclosureDecision.Permit ? "permit" : "deny") : null);
        Add("breakGlass", BreakGlass is { } g ? (g ? "true" : "false") : null);
        Add("limit", Limit.ToString(CultureInfo.InvariantCulture));
        Add("after", lastSequence.ToString(CultureInfo.InvariantCulture));
        return QueryHelpers.AddQueryString(path, parameters);
    }

    private static string? Text(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > DisclosureDraft.MaxFieldLength)
        {
            errors[field] = [$"1 to {DisclosureDraft.MaxFieldLength} characters."];
            return null;
        }

        return value;
    }

    /// <summary>An ISO-8601 instant with its offset (<c>Z</c> or <c>±hh:mm</c>); a time without one is ambiguous, so refused.</summary>
    internal static DateTimeOffset? Instant(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(value, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant.ToUniversalTime();
        }

        errors[field] = ["An ISO-8601 instant with Z or an offset, e.g. 2026-01-31T00:00:00Z."];
        return null;
    }

    /// <summary>A basis kind (<c>consent-grant</c>, <c>mou</c>, <c>statutory-basis</c>, <c>break-glass</c>, <c>consent-directory</c>, or as stored, <c>ConsentGrant</c>), optionally <c>:id</c>.</summary>
    private static (DisclosureBasisKind? Kind, string? Id) BasisOf(string? value, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return (null, null);
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var kindText = colon < 0 ? value : value[..colon];
        var id = colon < 0 ? null : value[(colon + 1)..];
        var kind = Enum.GetValues<DisclosureBasisKind>().Cast<DisclosureBasisKind?>().FirstOrDefault(k =>
            string.Equals(k.ToString(), kindText, StringComparison.Ordinal) ||
            string.Equals(System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(k.ToString()!), kindText, StringComparison.Ordinal));
        if (kind is null || (id is not null && (id.Length == 0 || id.Length > DisclosureDraft.MaxFieldLength)))
        {
            errors["basis"] = ["A basis kind (consent-grant, mou, statutory-basis, break-glass, consent-directory), optionally followed by :id."];
            return (null, null);
        }

        return (kind, id);
    }

    private static T? Refuse<T>(Dictionary<string, string[]> errors, string field, string message)
        where T : struct
    {
        errors[field] = [message];
        return null;
    }
}
