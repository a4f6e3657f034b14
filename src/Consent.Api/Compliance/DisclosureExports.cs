using System.Globalization;
using System.Text;
using Consent.Api.Agencies;
using Consent.Api.Caller;
using Consent.Api.DisclosureLog;
using Consent.Api.Fhir;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Vocabulary;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Compliance;

/// <summary>
/// Exports of the disclosure log for compliance officers, with the filters and checks of <c>GET /api/disclosures</c>:
/// a CSV file streamed row by row from the database, and a FHIR Bundle of BALP AuditEvents, at most
/// <see cref="ComplianceOptions.AuditEventMaximum"/> per Bundle with a <c>next</c> link for the rest.
/// </summary>
public sealed partial class DisclosureExports(
    ConsentDb db, DisclosureQueries queries, IOptions<ComplianceOptions> options, VocabularyCatalogue vocabulary, TimeProvider time,
    ILogger<DisclosureExports> logger)
{
    public const string CsvPath = "/api/compliance/exports/disclosures.csv";
    public const string AuditEventsPath = "/api/compliance/exports/audit-events";

    public static readonly string[] CsvColumns =
    [
        "sequence", "recordedAt", "recipientAgencyId", "clientId", "userId", "survivorId", "resourceType", "resourceIds", "purposeOfUse",
        "decision", "basis", "policyVersion", "requestId", "breakGlass", "previousHash", "hash",
    ];

    public async Task<Outcome<IResult>> CsvAsync(ApiCaller caller, DisclosureLogQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(caller, query, sent, options.Value.CsvMaximumRows, cancellationToken);
        if (selected.Problem is { } problem)
        {
            return problem;
        }

        var (search, entries) = selected.Value;
        LogExported(logger, caller.Subject, "csv");
        var name = "disclosures-" + time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".csv";
        return new CsvFileResult(name, entries.OrderBy(e => e.Sequence).Take(search.Limit).AsAsyncEnumerable());
    }

    public async Task<Outcome<IResult>> AuditEventsAsync(ApiCaller caller, DisclosureLogQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        var selected = await SelectAsync(caller, query, sent, options.Value.AuditEventMaximum, cancellationToken);
        if (selected.Problem is { } problem)
        {
            return problem;
        }

        var (search, entries) = selected.Value;
        var page = await entries.OrderBy(e => e.Sequence).Take(search.Limit + 1).ToListAsync(cancellationToken);
        var more = page.Count > search.Limit;
        if (more)
        {
            page.RemoveAt(search.Limit);
        }

        var agencyIds = page.Select(e => e.RecipientAgencyId).Distinct().ToList();
        var agencies = await db.Agencies.AsNoTracking().Where(a => agencyIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, StringComparer.Ordinal, cancellationToken);
        var bundle = new Bundle
        {
            Id = Guid.NewGuid().ToString("n"),
            Meta = new Meta { LastUpdated = time.GetUtcNow() },
            Type = Bundle.BundleType.Collection,
            Timestamp = time.GetUtcNow(),
        };
        if (more)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = search.NextLink(page[^1].Sequence, AuditEventsPath) });
        }

        foreach (var entry in page)
        {
            var audit = AuditEvents.Of(entry, agencies.GetValueOrDefault(entry.RecipientAgencyId), vocabulary);
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = "urn:uuid:" + DeterministicUuid(entry.Hash), Resource = audit });
        }

        LogExported(logger, caller.Subject, "fhir");
        return new FhirJsonResult(FhirModel.Serialize(bundle));
    }

    private async Task<Outcome<(DisclosureSearch Search, IQueryable<DisclosureEntry> Entries)>> SelectAsync(
        ApiCaller caller, DisclosureLogQuery query, IQueryCollection sent, int maximum, CancellationToken cancellationToken)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var parsed = DisclosureSearch.Parse(query, sent, maximum, maximum);
        if (parsed.Problem is { } invalid)
        {
            return invalid;
        }

        var search = parsed.Value!;
        var entries = await queries.FilterAsync(search, cancellationToken);
        if (search.After is { } after)
        {
            entries = entries.Where(e => e.Sequence > after);
        }

        return (search, entries);
    }

    /// <summary>A stable urn:uuid for an entry (from its hash), so the same entry has the same fullUrl in every export.</summary>
    private static string DeterministicUuid(string hash)
    {
        var bytes = Convert.FromHexString(hash.AsSpan(0, 32));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    [LoggerMessage(EventId = 4901, Level = LogLevel.Information, Message = "Disclosure log exported by {Subject} as {Format}")]
    private static partial void LogExported(ILogger logger, string subject, string format);
}

/// <summary>The CSV export, written to the response as the rows come from the database and flushed every few hundred rows.</summary>
internal sealed class CsvFileResult(string fileName, IAsyncEnumerable<DisclosureEntry> rows) : IResult
{
    private const int FlushEvery = 500;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = Csv.ContentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        response.Headers.CacheControl = "no-store";
        var cancellationToken = httpContext.RequestAborted;
        await using var writer = new StreamWriter(response.Body, Csv.Encoding, bufferSize: 64 * 1024, leaveOpen: true);
        var line = new StringBuilder(512);
        Csv.AppendRow(line, DisclosureExports.CsvColumns);
        var count = 0;
        await foreach (var entry in rows.WithCancellation(cancellationToken))
        {
            Csv.AppendRow(line, Row(entry));
            if (++count % FlushEvery == 0)
            {
                await writer.WriteAsync(line, cancellationToken);
                line.Clear();
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.WriteAsync(line, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    private static IEnumerable<string> Row(DisclosureEntry e) =>
    [
        Csv.Plain(e.Sequence.ToString(CultureInfo.InvariantCulture)),
        Csv.Plain(e.RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
        Csv.Text(e.RecipientAgencyId),
        Csv.Text(e.ClientId),
        Csv.Text(e.UserId),
        Csv.Text(e.SurvivorId),
        Csv.Text(e.ResourceType),
        Csv.Text(string.Join(' ', e.ResourceIds)),
        Csv.Text(e.PurposeOfUse),
        Csv.Plain(e.Decision == DisclosureDecision.Permit ? "permit" : "deny"),
        Csv.Text(string.Join(' ', e.Basis.Select(b => b.ToString()))),
        Csv.Text(e.PolicyVersion),
        Csv.Text(e.RequestId),
        Csv.Plain(e.BreakGlass ? "true" : "false"),
        Csv.Plain(e.PreviousHash),
        Csv.Plain(e.Hash),
    ];
}

/// <summary>A FHIR resource already serialized, answered as <c>application/fhir+json</c>.</summary>
internal sealed class FhirJsonResult(string json) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = FhirModel.ContentType;
        httpContext.Response.Headers.CacheControl = "no-store";
        return httpContext.Response.WriteAsync(json, httpContext.RequestAborted);
    }
}
