using System.Globalization;
using System.Text.Json.Serialization;
using Consent.Api.Caller;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureLog;

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
/// The compliance officer's search of the disclosure log (and the filter the compliance exports stream): every filter
/// optional, sequence order, one more than the page, using the log's indexes (agency + sequence, time, the sequence).
/// </summary>
public sealed partial class DisclosureQueries(ConsentDb db, ILogger<DisclosureQueries> logger)
{
    public const int LogDefaultLimit = 100;
    public const int LogMaximumLimit = 1000;

    internal static readonly string[] LogParameters = ["agency", "survivor", "from", "to", "purpose", "basis", "decision", "breakGlass", "limit", "after"];

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
        QueryParameters.Check(sent, DisclosureQueries.LogParameters, errors);
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
        var limit = QueryParameters.Limit(query.Limit, defaultLimit, maximumLimit, errors);
        var after = QueryParameters.Sequence(query.After, "after", errors);
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
