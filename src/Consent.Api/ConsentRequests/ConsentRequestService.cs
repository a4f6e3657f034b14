using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Api.Vocabulary;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.ConsentRequests;

public sealed record ConsentRequestView(
    Guid Id, string SurvivorId, string RequestingAgencyId, IReadOnlyList<string> Categories, string Purpose, string Reason,
    int RequestedDays, DateTimeOffset CreatedAt, ConsentRequestState State, DateTimeOffset? DecidedAt, Guid? GrantId, string? DeclineReason)
{
    /// <summary>A request as the API shows it: its purpose by the slug (the request stores the code).</summary>
    public static ConsentRequestView Of(ConsentRequest r, VocabularyCatalogue vocabulary) => new(
        r.Id, r.SurvivorId, r.RequestingAgencyId, r.Categories, vocabulary.Slug(r.Purpose), r.Reason, r.RequestedDays, r.CreatedAt, r.State, r.DecidedAt,
        r.GrantId, r.DeclineReason);
}

public sealed record RequestConsent(string? SurvivorId, List<string>? Categories, string? Purpose, string? Reason, int? RequestedDays);

/// <summary>
/// Approving turns the request into a grant to the requesting agency for what it asked. The survivor approves
/// in the portal; an advocate approves with the survivor present (recorded as witnessed, or verbal).
/// </summary>
public sealed record ApproveRequest(
    string? ConsentTextId, string? ConsentTextVersion, string? Language, ConsentMethod? Method, List<string>? SourceAgencyIds, bool? AllSources);

public sealed record DeclineRequest(string? Reason);

public sealed partial class ConsentRequestService(
    ConsentDb db,
    SurvivorAccess access,
    ConsentService consents,
    VocabularyCatalogue vocabulary,
    IOptions<DataCategoryOptions> categoryOptions,
    TimeProvider time,
    ILogger<ConsentRequestService> logger)
{
    public async Task<Outcome<ConsentRequestView>> RequestAsync(ApiCaller caller, RequestConsent request, CancellationToken cancellationToken)
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

        if (request.Categories is not { Count: > 0 })
        {
            errors["categories"] = ["Name at least one data category."];
        }

        if (string.IsNullOrWhiteSpace(request.Purpose))
        {
            errors["purpose"] = ["The purpose is required."];
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 1000)
        {
            errors["reason"] = ["Say why, in 1 to 1000 characters."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var unknown = request.Categories!.Where(c => !categoryOptions.Value.IsKnown(c)).ToList();
        if (unknown.Count > 0)
        {
            return new Problem(ProblemCatalogue.UnknownCategory, "Unknown: " + string.Join(", ", unknown));
        }

        if (!vocabulary.TryPurpose(request.Purpose, out var purpose))
        {
            return ProblemCatalogue.UnknownPurpose;
        }

        var days = request.RequestedDays ?? (int)purpose.DefaultDuration.TotalDays;
        if (days < 1 || days > purpose.MaximumDuration.TotalDays)
        {
            return new Problem(ProblemCatalogue.EndTooFar, $"Ask for 1 to {purpose.MaximumDuration.TotalDays:0} days for this purpose.");
        }

        var now = time.GetUtcNow();
        var consentRequest = new ConsentRequest(Guid.CreateVersion7(now), request.SurvivorId!, caller.AgencyId!, caller.ClientId is { } client && caller.IsAgencySystem ? client : caller.Subject,
            request.Categories!.Distinct(StringComparer.Ordinal), purpose.Code, request.Reason!.Trim(), days, now);
        db.ConsentRequests.Add(consentRequest);
        await db.SaveChangesAsync(cancellationToken);
        LogRequested(logger, consentRequest.Id, caller.AgencyId!);
        return ConsentRequestView.Of(consentRequest, vocabulary);
    }

    /// <summary>The requests the caller's agency has made.</summary>
    public async Task<Outcome<List<ConsentRequestView>>> OutgoingAsync(ApiCaller caller, CancellationToken cancellationToken)
    {
        if (!caller.ActsForAgency || caller.IsCompliance)
        {
            return caller.IsCompliance
                ? (await db.ConsentRequests.AsNoTracking().ToListAsync(cancellationToken)).OrderByDescending(r => r.CreatedAt).Select(r => ConsentRequestView.Of(r, vocabulary)).ToList()
                : ProblemCatalogue.Forbidden;
        }

        return (await db.ConsentRequests.AsNoTracking().Where(r => r.RequestingAgencyId == caller.AgencyId).ToListAsync(cancellationToken))
            .OrderByDescending(r => r.CreatedAt).Select(r => ConsentRequestView.Of(r, vocabulary)).ToList();
    }

    /// <summary>The requests made to a survivor, for the survivor and their advocates.</summary>
    public async Task<Outcome<List<ConsentRequestView>>> IncomingAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken)
    {
        var read = await access.ReadAsync(caller, survivorId, cancellationToken);
        if (read.Problem is { } problem)
        {
            return problem;
        }

        return (await db.ConsentRequests.AsNoTracking().Where(r => r.SurvivorId == survivorId).ToListAsync(cancellationToken))
            .OrderByDescending(r => r.CreatedAt).Select(r => ConsentRequestView.Of(r, vocabulary)).ToList();
    }

    public async Task<Outcome<ConsentRequestView>> GetAsync(ApiCaller caller, string requestId, CancellationToken cancellationToken)
    {
        var found = Guid.TryParse(requestId, out var id)
            ? await db.ConsentRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
            : null;
        if (found is null)
        {
            return ProblemCatalogue.ConsentRequestNotFound;
        }

        if (caller.ActsForAgency && found.RequestingAgencyId == caller.AgencyId)
        {
            return ConsentRequestView.Of(found, vocabulary);
        }

        var read = await access.ReadAsync(caller, found.SurvivorId, cancellationToken);
        return read.Problem is null ? ConsentRequestView.Of(found, vocabulary) : ProblemCatalogue.ConsentRequestNotFound;
    }

    public async Task<Outcome<ConsentRequestView>> ApproveAsync(ApiCaller caller, string survivorId, string requestId, ApproveRequest request, CancellationToken cancellationToken)
    {
        var found = await FindPendingAsync(caller, survivorId, requestId, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var consentRequest = found.Value!;
        var now = time.GetUtcNow();
        using var turn = await SqliteWriteTurn.TakeAsync(db, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var grant = await consents.GrantAsync(caller, survivorId, new GrantConsent(
            consentRequest.RequestingAgencyId, request.SourceAgencyIds, request.AllSources ?? request.SourceAgencyIds is not { Count: > 0 },
            consentRequest.Categories, [vocabulary.Slug(consentRequest.Purpose)], now, now.AddDays(consentRequest.RequestedDays), request.Method,
            request.ConsentTextId, request.ConsentTextVersion, request.Language), cancellationToken, consentRequest.Id);
        if (grant.Problem is { } refused)
        {
            return refused;
        }

        consentRequest.Approve(grant.Value!.Id, caller.Subject, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogApproved(logger, consentRequest.Id, grant.Value.Id);
        return ConsentRequestView.Of(consentRequest, vocabulary);
    }

    public async Task<Outcome<ConsentRequestView>> DeclineAsync(ApiCaller caller, string survivorId, string requestId, DeclineRequest request, CancellationToken cancellationToken)
    {
        var found = await FindPendingAsync(caller, survivorId, requestId, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var consentRequest = found.Value!;
        consentRequest.Decline(caller.Subject, time.GetUtcNow(), request.Reason?.Trim());
        await db.SaveChangesAsync(cancellationToken);
        LogDeclined(logger, consentRequest.Id);
        return ConsentRequestView.Of(consentRequest, vocabulary);
    }

    private async Task<Outcome<ConsentRequest>> FindPendingAsync(ApiCaller caller, string survivorId, string requestId, CancellationToken cancellationToken)
    {
        if (await access.RecordAccessAsync(caller, survivorId, forChange: true, ProblemCatalogue.ConsentRequestNotFound, cancellationToken) is { } problem)
        {
            return problem;
        }

        var found = Guid.TryParse(requestId, out var id)
            ? await db.ConsentRequests.SingleOrDefaultAsync(r => r.Id == id && r.SurvivorId == survivorId, cancellationToken)
            : null;
        if (found is null)
        {
            return ProblemCatalogue.ConsentRequestNotFound;
        }

        return found.State == ConsentRequestState.Pending ? found : ProblemCatalogue.ConsentRequestNotPending;
    }

    [LoggerMessage(EventId = 4601, Level = LogLevel.Information, Message = "Consent request {RequestId} made by {AgencyId}")]
    private static partial void LogRequested(ILogger logger, Guid requestId, string agencyId);

    [LoggerMessage(EventId = 4602, Level = LogLevel.Information, Message = "Consent request {RequestId} approved as grant {ConsentId}")]
    private static partial void LogApproved(ILogger logger, Guid requestId, Guid consentId);

    [LoggerMessage(EventId = 4603, Level = LogLevel.Information, Message = "Consent request {RequestId} declined")]
    private static partial void LogDeclined(ILogger logger, Guid requestId);
}
