using Consent.Api.ConsentTexts;
using Consent.Api.Agencies;
using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.DenyList;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Api.Vocabulary;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Consents;

public sealed record ConsentView(
    Guid Id,
    string SurvivorId,
    string RecipientAgencyId,
    bool AllSources,
    IReadOnlyList<string> SourceAgencyIds,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Purposes,
    DateTimeOffset Start,
    DateTimeOffset End,
    ConsentStatus Status,
    bool OverriddenByDenyList,
    ConsentMethod Method,
    string? Witness,
    ConsentText Text,
    ConsentDecidedBy DecidedBy,
    int Version,
    string RecordedBy,
    DateTimeOffset RecordedAt,
    DateTimeOffset GrantedAt,
    DateTimeOffset? RevokedAt,
    Guid? RequestId)
{
    /// <summary>A grant as the API shows it: purposes by their slugs (the grant stores their codes).</summary>
    public static ConsentView Of(ConsentGrant g, DateTimeOffset now, bool denied, VocabularyCatalogue vocabulary) => new(
        g.Id, g.SurvivorId, g.RecipientAgencyId, g.AllSources, g.SourceAgencyIds, g.Categories, vocabulary.Slugs(g.Purposes), g.Start, g.End,
        g.StatusAt(now), denied, g.Method, g.Witness, g.Text, g.DecidedBy, g.Version, g.RecordedBy, g.RecordedAt, g.GrantedAt,
        g.RevokedAt, g.RequestId);
}

public sealed record ConsentVersionView(int Version, ConsentChange Change, string RecordedBy, DateTimeOffset RecordedAt, ConsentTerms Terms);

/// <summary>
/// A grant as asked for. Sources: name agencies, or set <c>allSources</c>. Start defaults to now; end defaults
/// to the shortest default duration of the purposes named (and never more than 30 days for verbal consent).
/// </summary>
public sealed record GrantConsent(
    string? RecipientAgencyId,
    List<string>? SourceAgencyIds,
    bool? AllSources,
    List<string>? Categories,
    List<string>? Purposes,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    ConsentMethod? Method,
    string? ConsentTextId,
    string? ConsentTextVersion,
    string? Language);

/// <summary>Grants, amendments and revocations of a survivor's consent, with their history.</summary>
public sealed partial class ConsentService(
    ConsentDb db,
    SurvivorAccess access,
    DenyListService denyList,
    AgencyService agencies,
    IOptions<ConsentOptions> consentOptions,
    IOptions<DataCategoryOptions> categoryOptions,
    VocabularyCatalogue vocabulary,
    ConsentTextCatalogue texts,
    ConsentExport export,
    TimeProvider time,
    ILogger<ConsentService> logger)
{
    /// <summary>How far before now a new grant's start may lie: the clock of the device that filled the form.</summary>
    public static readonly TimeSpan StartSkew = TimeSpan.FromMinutes(5);

    private ConsentOptions Options => consentOptions.Value;

    public async Task<Outcome<List<ConsentView>>> ListAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken)
    {
        var read = await access.ReadAsync(caller, survivorId, cancellationToken);
        if (read.Problem is { } problem)
        {
            return problem;
        }

        var denied = await denyList.DeniedAgenciesAsync(survivorId, cancellationToken);
        var now = time.GetUtcNow();
        var grants = await db.Consents.AsNoTracking().Where(c => c.SurvivorId == survivorId).ToListAsync(cancellationToken);
        return grants.OrderByDescending(g => g.GrantedAt).Select(g => ConsentView.Of(g, now, denied.Contains(g.RecipientAgencyId), vocabulary)).ToList();
    }

    public async Task<Outcome<ConsentView>> GetAsync(ApiCaller caller, string survivorId, string consentId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, survivorId, consentId, forChange: false, cancellationToken);
        return found.Problem is { } problem ? problem : await ViewAsync(found.Value!, cancellationToken);
    }

    public async Task<Outcome<List<ConsentVersionView>>> HistoryAsync(ApiCaller caller, string survivorId, string consentId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, survivorId, consentId, forChange: false, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var versions = await db.ConsentVersions.AsNoTracking().Where(v => v.ConsentId == found.Value!.Id)
            .OrderBy(v => v.Version).ToListAsync(cancellationToken);
        return versions.Select(v => new ConsentVersionView(v.Version, v.Change, v.RecordedBy, v.RecordedAt, Shown(v.ReadTerms()))).ToList();
    }

    /// <summary>The grant as a FHIR R4 Consent resource.</summary>
    public async Task<Outcome<Hl7.Fhir.Model.Consent>> FhirAsync(ApiCaller caller, string survivorId, string consentId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, survivorId, consentId, forChange: false, cancellationToken);
        return found.Problem is { } problem
            ? problem
            : await export.ForGrantAsync(found.Value!, ConsentExport.SurvivorReference(found.Value!.SurvivorId), cancellationToken);
    }

    public async Task<Outcome<ConsentView>> GrantAsync(ApiCaller caller, string survivorId, GrantConsent request, CancellationToken cancellationToken, Guid? requestId = null)
    {
        var change = await access.ChangeAsync(caller, survivorId, cancellationToken);
        if (change.Problem is { } denied)
        {
            return denied;
        }

        var terms = await TermsAsync(caller, change.Value!, request, fixedRecipient: null, cancellationToken);
        if (terms.Problem is { } problem)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        if (await SameTermsAsync(survivorId, terms.Value!, now, cancellationToken) is { } existing)
        {
            return new Problem(ProblemCatalogue.ConsentDuplicate, $"Grant {existing:D} already covers this.");
        }

        var grant = ConsentGrant.Grant(Guid.CreateVersion7(now), survivorId, terms.Value!, caller.Subject, now, requestId);
        db.Consents.Add(grant);
        db.ConsentVersions.AddRange(grant.Versions);
        await db.SaveChangesAsync(cancellationToken);
        LogGranted(logger, grant.Id, survivorId, grant.RecipientAgencyId, grant.Method);
        return ConsentView.Of(grant, now, denied: false, vocabulary);
    }

    public async Task<Outcome<ConsentView>> AmendAsync(ApiCaller caller, string survivorId, string consentId, GrantConsent request, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, survivorId, consentId, forChange: true, cancellationToken);
        if (found.Problem is { } notFound)
        {
            return notFound;
        }

        var grant = found.Value!;
        var now = time.GetUtcNow();
        if (grant.StatusAt(now) is ConsentStatus.Revoked or ConsentStatus.Expired)
        {
            return ProblemCatalogue.ConsentNotActive;
        }

        var survivor = await db.Survivors.SingleAsync(s => s.Id == survivorId, cancellationToken);
        var terms = await TermsAsync(caller, survivor, request with { Start = request.Start ?? grant.Start }, grant.RecipientAgencyId, cancellationToken,
            keptStart: grant.Start);
        if (terms.Problem is { } problem)
        {
            return problem;
        }

        var before = grant.Versions.Count;
        grant.Amend(terms.Value!, caller.Subject, now);
        db.ConsentVersions.AddRange(grant.Versions.Skip(before));
        await db.SaveChangesAsync(cancellationToken);
        LogAmended(logger, grant.Id, grant.Version);
        return ConsentView.Of(grant, now, denied: false, vocabulary);
    }

    public async Task<Outcome<ConsentView>> RevokeAsync(ApiCaller caller, string survivorId, string consentId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, survivorId, consentId, forChange: true, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var grant = found.Value!;
        var now = time.GetUtcNow();
        if (grant.StatusAt(now) is ConsentStatus.Revoked or ConsentStatus.Expired)
        {
            return ProblemCatalogue.ConsentNotActive;
        }

        var before = grant.Versions.Count;
        grant.Revoke(caller.Subject, now);
        db.ConsentVersions.AddRange(grant.Versions.Skip(before));
        await db.SaveChangesAsync(cancellationToken);
        LogRevoked(logger, grant.Id, survivorId);
        return await ViewAsync(grant, cancellationToken);
    }

    private async Task<ConsentView> ViewAsync(ConsentGrant grant, CancellationToken cancellationToken) =>
        ConsentView.Of(grant, time.GetUtcNow(), await denyList.DeniesAgencyAsync(grant.SurvivorId, grant.RecipientAgencyId, cancellationToken), vocabulary);

    private async Task<Outcome<ConsentGrant>> FindAsync(ApiCaller caller, string survivorId, string consentId, bool forChange, CancellationToken cancellationToken)
    {
        if (await access.RecordAccessAsync(caller, survivorId, forChange, ProblemCatalogue.ConsentNotFound, cancellationToken) is { } problem)
        {
            return problem;
        }

        var grant = Guid.TryParse(consentId, out var id)
            ? await db.Consents.SingleOrDefaultAsync(c => c.Id == id && c.SurvivorId == survivorId, cancellationToken)
            : null;
        return grant is null ? ProblemCatalogue.ConsentNotFound : grant;
    }

    /// <summary>Checks a requested grant against every rule and works out its terms.</summary>
    /// <param name="keptStart">On an amendment, the grant's own start: it may stay where it is, never move earlier.</param>
    internal async Task<Outcome<ConsentTerms>> TermsAsync(
        ApiCaller caller, Survivor survivor, GrantConsent request, string? fixedRecipient, CancellationToken cancellationToken,
        DateTimeOffset? keptStart = null)
    {
        var now = time.GetUtcNow();
        var recipient = fixedRecipient ?? request.RecipientAgencyId;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(recipient))
        {
            errors["recipientAgencyId"] = ["The recipient agency is required."];
        }

        if (request.Categories is not { Count: > 0 })
        {
            errors["categories"] = ["Name at least one data category."];
        }

        if (request.Purposes is not { Count: > 0 })
        {
            errors["purposes"] = ["Name at least one purpose of use."];
        }

        var allSources = request.AllSources ?? false;
        if (!allSources && request.SourceAgencyIds is not { Count: > 0 })
        {
            errors["sourceAgencyIds"] = ["Name the source agencies, or set allSources."];
        }

        if (string.IsNullOrWhiteSpace(request.ConsentTextId) || string.IsNullOrWhiteSpace(request.ConsentTextVersion))
        {
            errors["consentTextId"] = ["Say which consent text (id and version) was shown."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        // How consent was given depends on who records it: the survivor in the portal, or an advocate as witness.
        var method = request.Method ?? (caller.IsSurvivor ? ConsentMethod.Portal : ConsentMethod.WitnessedPaper);
        var allowed = caller.IsSurvivor ? method == ConsentMethod.Portal : caller.IsAdvocate && method != ConsentMethod.Portal;
        if (!allowed)
        {
            return ProblemCatalogue.MethodNotAllowed;
        }

        var decidedBy = ConsentDecidedBy.Survivor;
        if (survivor.IsMinorOn(DateOnly.FromDateTime(now.UtcDateTime)))
        {
            if (caller.IsSurvivor || survivor.DecisionMaker is null)
            {
                return ProblemCatalogue.DecisionMakerRequired;
            }

            decidedBy = ConsentDecidedBy.DecisionMaker;
        }

        var categories = request.Categories!.Distinct(StringComparer.Ordinal).ToList();
        var unknownCategories = categories.Where(c => !categoryOptions.Value.IsKnown(c)).ToList();
        if (unknownCategories.Count > 0)
        {
            return new Problem(ProblemCatalogue.UnknownCategory, "Unknown: " + string.Join(", ", unknownCategories));
        }

        var purposes = request.Purposes!.Distinct(StringComparer.Ordinal).ToList();
        var unknownPurposes = vocabulary.UnknownPurposes(purposes);
        if (unknownPurposes.Count > 0)
        {
            return new Problem(ProblemCatalogue.UnknownPurpose, "Unknown: " + string.Join(", ", unknownPurposes));
        }

        var language = request.Language ?? survivor.PreferredLanguage;
        if (!Options.Languages.Contains(language))
        {
            return new Problem(ProblemCatalogue.UnsupportedLanguage, "Supported: " + string.Join(", ", Options.Languages));
        }

        // The text the person was shown must be one we hold (every text is in every supported language), the current
        // version, and (when a category falls under 42 CFR Part 2) one that carries the elements of §2.31.
        var text = texts.Find(request.ConsentTextId!, request.ConsentTextVersion!);
        if (text is null)
        {
            return ProblemCatalogue.UnknownConsentText;
        }

        if (!text.Current)
        {
            return ProblemCatalogue.ConsentTextSuperseded;
        }

        if (!text.Part2 && categories.Any(c => categoryOptions.Value.Categories[c].Part2))
        {
            return ProblemCatalogue.ConsentTextNotPart2;
        }

        var sources = allSources ? [] : request.SourceAgencyIds!.Distinct(StringComparer.Ordinal).ToList();
        if (!await agencies.AllActiveAsync([recipient!, .. sources], cancellationToken))
        {
            return ProblemCatalogue.UnknownAgency;
        }

        if (await denyList.DeniesAgencyAsync(survivor.Id, recipient!, cancellationToken))
        {
            return ProblemCatalogue.RecipientDenied;
        }

        var start = request.Start ?? now;
        // A grant dated before it was given would make earlier disclosures look consented to.
        var earliest = keptStart is { } kept && kept < now - StartSkew ? kept : now - StartSkew;
        if (start < earliest)
        {
            return ProblemCatalogue.StartInThePast;
        }

        var limits = purposes.Select(p => vocabulary.TryPurpose(p, out var purpose) ? purpose : null).OfType<Purpose>().ToList();
        var longest = limits.Min(p => p.MaximumDuration);
        var fallback = limits.Min(p => p.DefaultDuration);
        if (method == ConsentMethod.Verbal)
        {
            longest = longest < Options.VerbalMaximum ? longest : Options.VerbalMaximum;
            fallback = fallback < Options.VerbalMaximum ? fallback : Options.VerbalMaximum;
        }

        var end = request.End ?? start + fallback;
        if (end <= start)
        {
            return ProblemCatalogue.EndBeforeStart;
        }

        if (end <= now)
        {
            return ProblemCatalogue.Invalid("end", "The end must be in the future.");
        }

        if (end - start > longest)
        {
            return method == ConsentMethod.Verbal && end - start > Options.VerbalMaximum
                ? ProblemCatalogue.VerbalTooLong
                : new Problem(ProblemCatalogue.EndTooFar, $"At most {longest.TotalDays:0} days for these purposes.");
        }

        return new ConsentTerms(recipient!, allSources, sources, categories, vocabulary.Codes(purposes), start, end, method,
            method == ConsentMethod.Portal ? null : caller.Subject,
            new ConsentText(request.ConsentTextId!, request.ConsentTextVersion!, language), decidedBy);
    }

    /// <summary>
    /// An active or pending grant of the survivor with exactly these terms (recipient, sources, categories and purposes as
    /// sets) for an overlapping period: a second one (a form sent twice) would only make revoking harder, since both would
    /// have to be revoked. The same terms for a later period (a renewal given in advance) are another grant.
    /// </summary>
    private async Task<Guid?> SameTermsAsync(string survivorId, ConsentTerms terms, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Only the grants whose period overlaps, asked of the database: a survivor may hold many grants to one agency over the years.
        var candidates = await db.Consents.AsNoTracking()
            .Where(c => c.SurvivorId == survivorId && c.RecipientAgencyId == terms.RecipientAgencyId && c.RevokedAt == null &&
                        c.Start < terms.End && terms.Start < c.End)
            .ToListAsync(cancellationToken);
        static bool Same(IEnumerable<string> left, IEnumerable<string> right) => left.ToHashSet(StringComparer.Ordinal).SetEquals(right);
        return candidates.FirstOrDefault(c => c.StatusAt(now) is ConsentStatus.Active or ConsentStatus.Pending &&
                                              c.AllSources == terms.AllSources && Same(c.SourceAgencyIds, terms.SourceAgencyIds) &&
                                              Same(c.Categories, terms.Categories) && Same(c.Purposes, terms.Purposes))?.Id;
    }

    /// <summary>Terms as the API shows them: purposes by their slugs.</summary>
    private ConsentTerms Shown(ConsentTerms terms) => terms with { Purposes = vocabulary.Slugs(terms.Purposes) };

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Consent {ConsentId} granted by survivor {SurvivorId} to {RecipientAgencyId} ({Method})")]
    private static partial void LogGranted(ILogger logger, Guid consentId, string survivorId, string recipientAgencyId, ConsentMethod method);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Consent {ConsentId} amended to version {Version}")]
    private static partial void LogAmended(ILogger logger, Guid consentId, int version);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Consent {ConsentId} of survivor {SurvivorId} revoked")]
    private static partial void LogRevoked(ILogger logger, Guid consentId, string survivorId);
}
