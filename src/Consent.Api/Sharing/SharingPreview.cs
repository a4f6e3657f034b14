using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Api.Vocabulary;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PolicyBasisKind = Consent.Policies.PolicyBasisKind;
using Requester = Consent.Policies.Requester;

namespace Consent.Api.Sharing;

/// <summary>
/// <c>POST /api/survivors/{survivorId}/sharing-preview</c>: what an agency would see of the survivor's records now, for one
/// purpose, optionally with a grant that is not given yet. The request names the agency, the purpose (slug) and, for
/// a grant being drafted, its categories and sources.
/// </summary>
public sealed record SharingPreviewRequest(string? RecipientAgencyId, string? Purpose, ProposedGrant? Grant);

/// <summary>A grant being drafted: its categories and sources (none: every source).</summary>
public sealed record ProposedGrant(IReadOnlyList<string>? Categories, IReadOnlyList<string>? SourceAgencyIds);

/// <summary>
/// The answer: per source agency and data category, how many of the survivor's records the agency would receive and on
/// what kinds of basis; and how many it would not. Counts only, never a record's content.
/// </summary>
public sealed record SharingPreviewView(string SurvivorId, string RecipientAgencyId, string Purpose, DateTimeOffset At,
    IReadOnlyList<PreviewedRecords> Shared, int Withheld);

public sealed record PreviewedRecords(string SourceAgencyId, string? Category, int Records, IReadOnlyList<string> Basis);

/// <summary>
/// The sharing preview. It takes the same path as an agency's FHIR read (the same facts, the same mapping to the policy
/// and the same decision per kind of record), so the preview and the read cannot disagree; it is written to the
/// application log as a preview, never to the disclosure log, because nothing leaves.
/// </summary>
public sealed partial class SharingPreview(
    ConsentDb db,
    SurvivorAccess access,
    SharingDecisions sharing,
    RecordClassifier classifier,
    VocabularyCatalogue vocabulary,
    IOptions<DataCategoryOptions> categories,
    TimeProvider time,
    ILogger<SharingPreview> logger)
{
    public static RouteHandlerBuilder MapSharingPreview(IEndpointRouteBuilder app) =>
        app.MapPost("/api/survivors/{survivorId}/sharing-preview", Preview).WithTags("Sharing preview")
            .WithSummary("What an agency would see of the survivor's records now, for a purpose, optionally with a grant being drafted; nothing is disclosed or logged as a disclosure.")
            .WithProblems(ProblemCatalogue.SurvivorNotFound, ProblemCatalogue.InvalidRequest);

    private static async Task<Results<Ok<SharingPreviewView>, ProblemHttpResult>> Preview(string survivorId, SharingPreviewRequest request,
        ApiCaller caller, SharingPreview preview, CancellationToken ct) =>
        (await preview.PreviewAsync(caller, survivorId, request, ct)).ToOk();

    public async Task<Outcome<SharingPreviewView>> PreviewAsync(ApiCaller caller, string survivorId, SharingPreviewRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Who may see the survivor is answered first: a foreign id learns no more than a missing one.
        var change = await access.ChangeAsync(caller, survivorId, cancellationToken);
        if (change.Problem is { } hidden)
        {
            return hidden;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var recipient = string.IsNullOrWhiteSpace(request.RecipientAgencyId)
            ? null
            : await db.Agencies.AsNoTracking().Where(a => a.Id == request.RecipientAgencyId && a.Active).Select(a => new { a.Id, a.Type })
                .FirstOrDefaultAsync(cancellationToken);
        if (recipient is null)
        {
            errors["recipientAgencyId"] = ["An active agency's id is required."];
        }

        if (!vocabulary.TryPurpose(request.Purpose, out var purpose))
        {
            errors["purpose"] = ["One of: " + string.Join(", ", vocabulary.Purposes.Select(p => p.Slug)) + "."];
        }

        var proposedCategories = request.Grant?.Categories ?? [];
        if (request.Grant is not null && (proposedCategories.Count == 0 || proposedCategories.Any(c => !categories.Value.IsKnown(c))))
        {
            errors["grant.categories"] = ["A drafted grant names one or more known data categories."];
        }

        var sources = request.Grant?.SourceAgencyIds ?? [];
        if (sources.Count > 50 || sources.Any(s => string.IsNullOrWhiteSpace(s) || s.Length > 64))
        {
            errors["grant.sourceAgencyIds"] = ["At most 50 agency ids."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var now = time.GetUtcNow();
        List<ConsentGrant> proposed = [];
        if (request.Grant is not null)
        {
            // Judged as if given now, for this purpose, until the purpose's usual end.
            proposed.Add(ConsentGrant.Grant(Guid.Empty, survivorId, new ConsentTerms(recipient!.Id, sources.Count == 0, [.. sources.Distinct(StringComparer.Ordinal)],
                [.. proposedCategories.Distinct(StringComparer.Ordinal)], [purpose!.Code], now.AddSeconds(-1), now.Add(purpose!.DefaultDuration),
                ConsentMethod.Portal, null, new ConsentText("preview", "0", "en"), ConsentDecidedBy.Survivor), caller.Subject, now));
        }

        var version = await ReadContexts.CurrentFactsVersionAsync(db, cancellationToken);
        var facts = await sharing.ForAsync(new Requester { AgencyId = recipient!.Id, AgencyType = recipient.Type, ClientId = "sharing-preview" },
            survivorId, version, purpose!.Code, null, cancellationToken, proposed);

        // The survivor's records held by other agencies (the recipient's own are not a disclosure).
        var records = await db.FhirRecords.AsNoTracking().Where(r => r.SurvivorId == survivorId && r.SourceAgencyId != recipient.Id)
            .Select(r => new { r.SourceAgencyId, r.ResourceType, r.Labels }).ToListAsync(cancellationToken);
        var shared = new Dictionary<(string Source, string? Category), (int Count, SortedSet<string> Basis)>();
        var withheld = 0;
        foreach (var record in records)
        {
            var decision = await facts.DecideAsync(record.SourceAgencyId, record.ResourceType, record.Labels, cancellationToken);
            if (!decision.IsPermit)
            {
                withheld++;
                continue;
            }

            var key = (record.SourceAgencyId, classifier.CategoryOf(record.ResourceType, record.Labels));
            var (count, basis) = shared.GetValueOrDefault(key, (0, new SortedSet<string>(StringComparer.Ordinal)));
            basis.UnionWith(decision.Bases.Select(b => BasisName(b.Kind)));
            shared[key] = (count + 1, basis);
        }

        LogPreviewed(logger, survivorId, recipient.Id, purpose.Code, shared.Values.Sum(v => v.Count), withheld);
        return new SharingPreviewView(survivorId, recipient.Id, request.Purpose!, now,
            [.. shared.OrderBy(s => s.Key.Source, StringComparer.Ordinal).ThenBy(s => s.Key.Category, StringComparer.Ordinal)
                .Select(s => new PreviewedRecords(s.Key.Source, s.Key.Category, s.Value.Count, [.. s.Value.Basis]))],
            withheld);
    }

    /// <summary>A basis kind as the disclosure log's search names it (<c>consent-grant</c>, <c>mou</c>, ...).</summary>
    private static string BasisName(PolicyBasisKind kind) => kind switch
    {
        PolicyBasisKind.Grant => "consent-grant",
        PolicyBasisKind.Mou => "mou",
        PolicyBasisKind.StatutoryBasis => "statutory-basis",
        _ => "break-glass",
    };

    [LoggerMessage(EventId = 6401, Level = LogLevel.Information,
        Message = "Sharing preview (not a disclosure) of survivor {SurvivorId} for {RecipientAgencyId}, purpose {Purpose}: {Shared} shared, {Withheld} withheld")]
    private static partial void LogPreviewed(ILogger logger, string survivorId, string recipientAgencyId, string purpose, int shared, int withheld);
}
