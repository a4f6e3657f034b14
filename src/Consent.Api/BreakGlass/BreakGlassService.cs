using Consent.Api.Caller;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Vocabulary;
using Consent.Policies;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.BreakGlass;

public sealed record BreakGlassView(
    Guid Id, string AgencyId, string DeclaredBy, string? ClientId, string SurvivorId, string Purpose, string Reason, DateTimeOffset DeclaredAt,
    bool NeedsReview, DateTimeOffset? ReviewedAt, string? ReviewedBy, ReviewOutcome? Outcome, string? ReviewNote)
{
    /// <summary>A record as the API shows it: its purpose by the slug (the record stores the code).</summary>
    public static BreakGlassView Of(BreakGlassRecord r, VocabularyCatalogue vocabulary) => new(
        r.Id, r.AgencyId, r.DeclaredBy, r.ClientId, r.SurvivorId, vocabulary.Slug(r.Purpose), r.Reason, r.DeclaredAt, r.NeedsReview, r.ReviewedAt, r.ReviewedBy,
        r.Outcome, r.ReviewNote);
}

public sealed record DeclareBreakGlass(string? SurvivorId, string? Purpose, string? Reason);

public sealed record ReviewBreakGlass(ReviewOutcome? Outcome, string? Note);

/// <summary>
/// Break-glass declarations. Whether the emergency read is then permitted is the policy's decision; this keeps
/// the record and the review queue. The survivor id is not checked, so declaring reveals nothing.
/// </summary>
public sealed partial class BreakGlassService(ConsentDb db, VocabularyCatalogue vocabulary, TimeProvider time, ILogger<BreakGlassService> logger)
{
    public const int MinimumReasonLength = 10;

    /// <summary>A review says why it decided: a note of 1 to this many characters is mandatory.</summary>
    public const int MaximumNoteLength = 2000;

    /// <summary>
    /// An emergency read on /fhir (header <c>X-Break-Glass-Reason</c>): recorded for the review queue whether the policy
    /// permitted it or not; the disclosure log names the record as the read's break-glass basis.
    /// </summary>
    public async Task<Guid> RecordEmergencyReadAsync(string agencyId, string clientId, string? userId, string survivorId, string purposeCode,
        string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new BreakGlassRecord(Guid.CreateVersion7(now), agencyId, userId ?? clientId, clientId, survivorId, purposeCode, reason, now);
        db.BreakGlass.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return record.Id;
    }

    public async Task<Outcome<BreakGlassView>> DeclareAsync(ApiCaller caller, DeclareBreakGlass request, CancellationToken cancellationToken)
    {
        if (!caller.ActsForAgency || caller.IsCompliance)
        {
            return caller.IsCompliance ? ProblemCatalogue.ReadOnly : ProblemCatalogue.Forbidden;
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.SurvivorId))
        {
            errors["survivorId"] = ["The survivor id is required."];
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Trim().Length < MinimumReasonLength || request.Reason.Length > 2000)
        {
            errors["reason"] = [$"A reason of {MinimumReasonLength} to 2000 characters is mandatory."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        // Without a purpose, emergency treatment: what break glass is for.
        if (!vocabulary.TryPurpose(request.Purpose ?? vocabulary.Slug(PurposesOfUse.EmergencyTreatment), out var purpose))
        {
            return ProblemCatalogue.UnknownPurpose;
        }

        var now = time.GetUtcNow();
        var record = new BreakGlassRecord(Guid.CreateVersion7(now), caller.AgencyId!, caller.Subject, caller.ClientId, request.SurvivorId!,
            purpose.Code, request.Reason!.Trim(), now);
        db.BreakGlass.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        LogDeclared(logger, record.Id, record.AgencyId, record.SurvivorId);
        return BreakGlassView.Of(record, vocabulary);
    }

    /// <summary>Compliance sees every record (or the review queue); agency staff see their agency's.</summary>
    public async Task<Outcome<List<BreakGlassView>>> ListAsync(ApiCaller caller, bool? needsReview, CancellationToken cancellationToken)
    {
        IQueryable<BreakGlassRecord> query = db.BreakGlass.AsNoTracking();
        if (!caller.IsCompliance)
        {
            if (!caller.ActsForAgency)
            {
                return ProblemCatalogue.Forbidden;
            }

            query = query.Where(r => r.AgencyId == caller.AgencyId);
        }

        if (needsReview is { } pending)
        {
            query = pending ? query.Where(r => r.ReviewedAt == null) : query.Where(r => r.ReviewedAt != null);
        }

        // Oldest first: the queue is worked from the record that has waited longest.
        return (await query.ToListAsync(cancellationToken)).OrderBy(r => r.DeclaredAt).ThenBy(r => r.Id).Select(r => BreakGlassView.Of(r, vocabulary)).ToList();
    }

    public async Task<Outcome<BreakGlassView>> GetAsync(ApiCaller caller, string id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, cancellationToken);
        return found.Problem is { } problem ? problem : BreakGlassView.Of(found.Value!, vocabulary);
    }

    public async Task<Outcome<BreakGlassView>> ReviewAsync(ApiCaller caller, string id, ReviewBreakGlass request, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        if (request.Outcome is null)
        {
            return ProblemCatalogue.Invalid("outcome", "justified or not-justified.");
        }

        var record = found.Value!;
        if (!record.NeedsReview)
        {
            return ProblemCatalogue.BreakGlassReviewed;
        }

        var note = request.Note?.Trim();
        if (string.IsNullOrEmpty(note) || note.Length > MaximumNoteLength)
        {
            return ProblemCatalogue.Invalid("note", $"Say why, in 1 to {MaximumNoteLength} characters.");
        }

        record.Review(caller.Subject, time.GetUtcNow(), request.Outcome.Value, note);
        await db.SaveChangesAsync(cancellationToken);
        LogReviewed(logger, record.Id, request.Outcome.Value);
        return BreakGlassView.Of(record, vocabulary);
    }

    private async Task<Outcome<BreakGlassRecord>> FindAsync(ApiCaller caller, string id, CancellationToken cancellationToken)
    {
        var record = Guid.TryParse(id, out var guid)
            ? await db.BreakGlass.SingleOrDefaultAsync(r => r.Id == guid, cancellationToken)
            : null;
        return record is not null && (caller.IsCompliance || (caller.ActsForAgency && record.AgencyId == caller.AgencyId))
            ? record
            : ProblemCatalogue.BreakGlassNotFound;
    }

    [LoggerMessage(EventId = 4701, Level = LogLevel.Warning, Message = "Break glass {RecordId} declared by {AgencyId} for survivor {SurvivorId}")]
    private static partial void LogDeclared(ILogger logger, Guid recordId, string agencyId, string survivorId);

    [LoggerMessage(EventId = 4702, Level = LogLevel.Information, Message = "Break glass {RecordId} reviewed: {Outcome}")]
    private static partial void LogReviewed(ILogger logger, Guid recordId, ReviewOutcome outcome);
}
