using System.Security.Cryptography;
using Consent.Api.Agencies;
using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Vocabulary;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Mous;

public sealed record MouPartyView(string AgencyId, string? SignedBy, DateTimeOffset? SignedAt, string? SignedDocumentSha256);

public sealed record MouFlowView(string SourceAgencyId, string RecipientAgencyId);

public sealed record MouView(
    Guid Id, string Title, MouStatus Status, IReadOnlyList<MouPartyView> Parties, IReadOnlyList<MouFlowView> Flows,
    IReadOnlyList<string> Purposes, IReadOnlyList<string> Categories, DateTimeOffset EffectiveFrom, DateTimeOffset ExpiresAt,
    bool AllowsEmergencyAccess, string? DocumentSha256, string? DocumentContentType, long? DocumentLength, string CreatedByAgencyId, DateTimeOffset CreatedAt,
    DateTimeOffset? TerminatedAt, string? TerminatedByAgencyId, string? TerminationReason)
{
    /// <summary>An MOU as the API shows it: purposes by their slugs (the MOU stores their codes).</summary>
    public static MouView Of(Mou m, DateTimeOffset now, VocabularyCatalogue vocabulary) => new(
        m.Id, m.Title, m.StatusAt(now),
        m.Parties.Select(p => new MouPartyView(p.AgencyId, p.SignedBy, p.SignedAt, p.SignedDocumentSha256)).ToList(),
        m.Flows.Select(f => new MouFlowView(f.SourceAgencyId, f.RecipientAgencyId)).ToList(),
        vocabulary.Slugs(m.Purposes), m.Categories, m.EffectiveFrom, m.ExpiresAt, m.AllowsEmergencyAccess, m.DocumentSha256, m.DocumentContentType, m.DocumentLength,
        m.CreatedByAgencyId, m.CreatedAt, m.TerminatedAt, m.TerminatedByAgencyId, m.TerminationReason);
}

/// <summary>
/// An MOU as drafted. Without flows, every party may share with every other (a mutual MOU). Emergency
/// (break-glass) reads between the parties are allowed only when the MOU says so.
/// </summary>
public sealed record DraftMou(
    string? Title, List<string>? PartyAgencyIds, List<MouFlowView>? Flows, List<string>? Purposes, List<string>? Categories,
    DateTimeOffset? EffectiveFrom, DateTimeOffset? ExpiresAt, bool? AllowsEmergencyAccess = null);

public sealed record SignMou(string? DocumentSha256);

public sealed record TerminateMou(string? Reason);

/// <summary>MOUs between agencies. Agency admins of the parties draft, sign and terminate; compliance reads all.</summary>
public sealed partial class MouService(
    ConsentDb db,
    AgencyService agencies,
    VocabularyCatalogue vocabulary,
    IOptions<DataCategoryOptions> categoryOptions,
    TimeProvider time,
    ILogger<MouService> logger)
{
    public static readonly IReadOnlyList<string> DocumentTypes = ["application/pdf", "application/octet-stream"];

    public async Task<Outcome<List<MouView>>> ListAsync(ApiCaller caller, CancellationToken cancellationToken)
    {
        if (caller.IsSurvivor)
        {
            return ProblemCatalogue.Forbidden;
        }

        IQueryable<Mou> query = db.Mous.AsNoTracking();
        if (!caller.IsCompliance && !caller.IsPlatformAdmin)
        {
            query = query.Where(m => m.Parties.Any(p => p.AgencyId == caller.AgencyId));
        }

        var now = time.GetUtcNow();
        return (await query.OrderByDescending(m => m.CreatedAt).ToListAsync(cancellationToken))
            .Where(m => CanSee(caller, m)).Select(m => MouView.Of(m, now, vocabulary)).ToList();
    }

    public async Task<Outcome<MouView>> GetAsync(ApiCaller caller, string mouId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, mouId, cancellationToken);
        return found.Problem is { } problem ? problem : MouView.Of(found.Value!, time.GetUtcNow(), vocabulary);
    }

    public async Task<Outcome<MouView>> DraftAsync(ApiCaller caller, DraftMou request, CancellationToken cancellationToken)
    {
        if (!caller.IsAgencyAdmin)
        {
            return caller.IsCompliance ? ProblemCatalogue.ReadOnly : ProblemCatalogue.Forbidden;
        }

        var terms = await TermsAsync(caller, request, cancellationToken);
        if (terms.Problem is { } problem)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var mou = new Mou(Guid.CreateVersion7(now), terms.Value!, caller.Subject, caller.AgencyId!, now);
        db.Mous.Add(mou);
        await db.SaveChangesAsync(cancellationToken);
        LogDrafted(logger, mou.Id, caller.AgencyId!);
        return MouView.Of(mou, now, vocabulary);
    }

    public async Task<Outcome<MouView>> ReviseAsync(ApiCaller caller, string mouId, DraftMou request, CancellationToken cancellationToken)
    {
        var found = await DraftForAdminAsync(caller, mouId, cancellationToken);
        if (found.Problem is { } denied)
        {
            return denied;
        }

        var mou = found.Value!;

        var terms = await TermsAsync(caller, request, cancellationToken);
        if (terms.Problem is { } problem)
        {
            return problem;
        }

        db.MouDocuments.RemoveRange(db.MouDocuments.Where(d => d.MouId == mou.Id));
        mou.Revise(terms.Value!);
        await db.SaveChangesAsync(cancellationToken);
        return MouView.Of(mou, time.GetUtcNow(), vocabulary);
    }

    public async Task<Outcome<MouView>> AttachDocumentAsync(ApiCaller caller, string mouId, string? contentType, Stream body, CancellationToken cancellationToken)
    {
        var found = await DraftForAdminAsync(caller, mouId, cancellationToken);
        if (found.Problem is { } denied)
        {
            return denied;
        }

        var mou = found.Value!;

        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is null || !DocumentTypes.Contains(mediaType))
        {
            return new Problem(ProblemCatalogue.UnsupportedMediaType, "Send the document as " + string.Join(" or ", DocumentTypes));
        }

        // The body size limit of the service defaults applies while this reads.
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return ProblemCatalogue.EmptyDocument;
        }

        var content = buffer.ToArray();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        db.MouDocuments.RemoveRange(db.MouDocuments.Where(d => d.MouId == mou.Id));
        db.MouDocuments.Add(new MouDocument(mou.Id, content));
        mou.AttachDocument(sha256, mediaType, content.LongLength);
        await db.SaveChangesAsync(cancellationToken);
        LogDocument(logger, mou.Id, sha256);
        return MouView.Of(mou, time.GetUtcNow(), vocabulary);
    }

    public async Task<Outcome<(byte[] Content, string ContentType, string Sha256)>> DocumentAsync(ApiCaller caller, string mouId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, mouId, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var mou = found.Value!;
        var document = await db.MouDocuments.AsNoTracking().SingleOrDefaultAsync(d => d.MouId == mou.Id, cancellationToken);
        return document is null ? ProblemCatalogue.MouDocumentMissing : (document.Content, mou.DocumentContentType!, mou.DocumentSha256!);
    }

    public async Task<Outcome<MouView>> SubmitAsync(ApiCaller caller, string mouId, CancellationToken cancellationToken)
    {
        var found = await DraftForAdminAsync(caller, mouId, cancellationToken);
        if (found.Problem is { } denied)
        {
            return denied;
        }

        var mou = found.Value!;

        if (mou.DocumentSha256 is null)
        {
            return ProblemCatalogue.MouDocumentMissing;
        }

        mou.SubmitForSignature(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        LogSubmitted(logger, mou.Id);
        return MouView.Of(mou, time.GetUtcNow(), vocabulary);
    }

    public async Task<Outcome<MouView>> SignAsync(ApiCaller caller, string mouId, SignMou request, CancellationToken cancellationToken)
    {
        var found = await FindForAdminAsync(caller, mouId, cancellationToken);
        if (found.Problem is { } denied)
        {
            return denied;
        }

        var mou = found.Value!;
        var now = time.GetUtcNow();
        if (mou.State != MouState.PendingSignature)
        {
            return ProblemCatalogue.MouNotPendingSignature;
        }

        if (now >= mou.ExpiresAt)
        {
            return ProblemCatalogue.MouAlreadyEnded;
        }

        if (mou.Parties.Single(p => p.AgencyId == caller.AgencyId).HasSigned)
        {
            return ProblemCatalogue.MouAlreadySigned;
        }

        if (string.IsNullOrWhiteSpace(request.DocumentSha256) ||
            !string.Equals(request.DocumentSha256, mou.DocumentSha256, StringComparison.OrdinalIgnoreCase))
        {
            return ProblemCatalogue.MouDocumentMismatch;
        }

        mou.Sign(caller.AgencyId!, caller.Subject, now, mou.DocumentSha256!);
        await db.SaveChangesAsync(cancellationToken);
        LogSigned(logger, mou.Id, caller.AgencyId!, mou.State == MouState.Signed);
        return MouView.Of(mou, now, vocabulary);
    }

    public async Task<Outcome<MouView>> TerminateAsync(ApiCaller caller, string mouId, TerminateMou request, CancellationToken cancellationToken)
    {
        var found = await FindForAdminAsync(caller, mouId, cancellationToken);
        if (found.Problem is { } denied)
        {
            return denied;
        }

        var mou = found.Value!;
        var now = time.GetUtcNow();
        if (mou.StatusAt(now) is MouStatus.Terminated or MouStatus.Expired)
        {
            return ProblemCatalogue.MouAlreadyEnded;
        }

        mou.Terminate(caller.AgencyId!, caller.Subject, now, request.Reason?.Trim());
        await db.SaveChangesAsync(cancellationToken);
        LogTerminated(logger, mou.Id, caller.AgencyId!);
        return MouView.Of(mou, now, vocabulary);
    }

    /// <summary>An MOU the caller's agency administers and that is still a draft (the only state in which it may change).</summary>
    private async Task<Outcome<Mou>> DraftForAdminAsync(ApiCaller caller, string mouId, CancellationToken cancellationToken)
    {
        var found = await FindForAdminAsync(caller, mouId, cancellationToken);
        return found.Problem is { } denied ? denied
            : found.Value!.State != MouState.Draft ? ProblemCatalogue.MouNotEditable
            : found;
    }

    /// <summary>Staff and systems of a party agency see the MOU; compliance and platform admins see all.</summary>
    private static bool CanSee(ApiCaller caller, Mou mou) =>
        caller.IsCompliance || caller.IsPlatformAdmin || (caller.ActsForAgency && mou.IsParty(caller.AgencyId));

    private async Task<Outcome<Mou>> FindAsync(ApiCaller caller, string mouId, CancellationToken cancellationToken)
    {
        var mou = Guid.TryParse(mouId, out var id)
            ? await db.Mous.SingleOrDefaultAsync(m => m.Id == id, cancellationToken)
            : null;
        return mou is not null && CanSee(caller, mou) ? mou : ProblemCatalogue.MouNotFound;
    }

    /// <summary>Changing an MOU is for agency admins of its parties; others who can see it may only read it.</summary>
    private async Task<Outcome<Mou>> FindForAdminAsync(ApiCaller caller, string mouId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, mouId, cancellationToken);
        if (found.Problem is not null)
        {
            return found;
        }

        if (caller.IsAgencyAdmin && found.Value!.IsParty(caller.AgencyId))
        {
            return found;
        }

        return caller.IsCompliance ? ProblemCatalogue.ReadOnly : ProblemCatalogue.Forbidden;
    }

    private async Task<Outcome<MouTerms>> TermsAsync(ApiCaller caller, DraftMou request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > 200)
        {
            errors["title"] = ["A title of 1 to 200 characters is required."];
        }

        if (request.Purposes is not { Count: > 0 })
        {
            errors["purposes"] = ["Name at least one purpose."];
        }

        if (request.Categories is not { Count: > 0 })
        {
            errors["categories"] = ["Name at least one data category."];
        }

        if (request.EffectiveFrom is null || request.ExpiresAt is null)
        {
            errors["expiresAt"] = ["Effective and expiry dates are required."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var parties = (request.PartyAgencyIds ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (parties.Count < 2)
        {
            return ProblemCatalogue.MouNeedsTwoParties;
        }

        if (!parties.Contains(caller.AgencyId!))
        {
            return ProblemCatalogue.MouNotAParty;
        }

        if (!await agencies.AllActiveAsync(parties, cancellationToken))
        {
            return ProblemCatalogue.UnknownAgency;
        }

        var flows = request.Flows is { Count: > 0 }
            ? request.Flows.Select(f => (f.SourceAgencyId, f.RecipientAgencyId)).Distinct().ToList()
            : [.. from s in parties from r in parties where s != r select (s, r)];
        if (flows.Any(f => f.Item1 == f.Item2 || !parties.Contains(f.Item1) || !parties.Contains(f.Item2)))
        {
            return ProblemCatalogue.MouFlowOutsideParties;
        }

        var unknownCategories = request.Categories!.Where(c => !categoryOptions.Value.IsKnown(c)).ToList();
        if (unknownCategories.Count > 0)
        {
            return new Problem(ProblemCatalogue.UnknownCategory, "Unknown: " + string.Join(", ", unknownCategories));
        }

        var unknownPurposes = vocabulary.UnknownPurposes(request.Purposes!);
        if (unknownPurposes.Count > 0)
        {
            return new Problem(ProblemCatalogue.UnknownPurpose, "Unknown: " + string.Join(", ", unknownPurposes));
        }

        if (request.ExpiresAt <= request.EffectiveFrom)
        {
            return ProblemCatalogue.EndBeforeStart;
        }

        return new MouTerms(request.Title!.Trim(), parties, flows, vocabulary.Codes(request.Purposes!), request.Categories!.Distinct().ToList(),
            request.EffectiveFrom!.Value, request.ExpiresAt!.Value, request.AllowsEmergencyAccess ?? false);
    }

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "MOU {MouId} drafted by {AgencyId}")]
    private static partial void LogDrafted(ILogger logger, Guid mouId, string agencyId);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Information, Message = "MOU {MouId} document attached ({Sha256})")]
    private static partial void LogDocument(ILogger logger, Guid mouId, string sha256);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Information, Message = "MOU {MouId} submitted for signature")]
    private static partial void LogSubmitted(ILogger logger, Guid mouId);

    [LoggerMessage(EventId = 4404, Level = LogLevel.Information, Message = "MOU {MouId} signed by {AgencyId}; fully signed: {FullySigned}")]
    private static partial void LogSigned(ILogger logger, Guid mouId, string agencyId, bool fullySigned);

    [LoggerMessage(EventId = 4405, Level = LogLevel.Information, Message = "MOU {MouId} terminated by {AgencyId}")]
    private static partial void LogTerminated(ILogger logger, Guid mouId, string agencyId);
}
