using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.StatutoryBases;
using Consent.Api.Storage;
using Consent.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ApiGrant = Consent.Api.Consents.ConsentGrant;
using ApiMou = Consent.Api.Mous.Mou;
using ApiMouStatus = Consent.Api.Mous.MouStatus;
using ApiStatutoryBasis = Consent.Api.StatutoryBases.StatutoryBasis;
using PolicyGrant = Consent.Policies.ConsentGrant;
using PolicyMou = Consent.Policies.Mou;
using PolicyMouParty = Consent.Policies.MouParty;
using PolicyStatutoryBasis = Consent.Policies.StatutoryBasis;

namespace Consent.Api.Sharing;

/// <summary>
/// Asks the policy about records of one survivor for one recipient: fetches the survivor's facts once (an indexed
/// query per kind: the survivor, the recipient's grants, the deny list, the statutory bases, the recipient's MOUs),
/// maps them to the policy's vocabulary (purpose slugs to codes, sensitive categories to labels, MOU flows to the
/// direction of each party) and decides each distinct kind of record once.
/// </summary>
public sealed class SharingDecisions(
    ConsentDb db,
    IPolicyDecisionPoint policy,
    RecordClassifier classifier,
    SharingFactsCache cache,
    IOptions<ConsentOptions> consentOptions,
    TimeProvider time)
{
    /// <summary>
    /// The facts for <paramref name="survivorId"/> as <paramref name="requester"/> would be judged, at the current time.
    /// Facts loaded at the same <paramref name="factsVersion"/> are reused (see <see cref="FactsVersion"/>).
    /// </summary>
    /// <param name="proposed">Grants not given yet, judged as if they were (the sharing preview); never cached.</param>
    public async Task<SurvivorSharing> ForAsync(Requester requester, string survivorId, long factsVersion, string purposeCode,
        string? breakGlassReason, CancellationToken cancellationToken, IReadOnlyList<ApiGrant>? proposed = null)
    {
        ArgumentNullException.ThrowIfNull(requester);
        var key = (survivorId, requester.AgencyId);
        if (!cache.TryGetValue(key, out LoadedFacts? facts) || facts!.Version != factsVersion)
        {
            facts = await LoadAsync(requester.AgencyId, survivorId, factsVersion, cancellationToken);
            cache.Set(key, facts, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(5) });
        }

        if (proposed is { Count: > 0 })
        {
            facts = facts with { Grants = [.. facts.Grants, .. proposed] };
        }

        return new SurvivorSharing(this, requester, survivorId, purposeCode, breakGlassReason, time.GetUtcNow(), facts);
    }

    private async Task<LoadedFacts> LoadAsync(string recipientAgencyId, string survivorId, long version, CancellationToken cancellationToken)
    {
        var survivor = await db.Survivors.AsNoTracking().Where(s => s.Id == survivorId)
            .Select(s => new { s.Id, s.DateOfBirth }).FirstOrDefaultAsync(cancellationToken);
        var grants = await db.Consents.AsNoTracking()
            .Where(g => g.SurvivorId == survivorId && g.RecipientAgencyId == recipientAgencyId).ToListAsync(cancellationToken);
        var denied = await db.DenyEntries.AsNoTracking()
            .Where(d => d.SurvivorId == survivorId && d.RemovedAt == null)
            .Select(d => new DenyListEntry { AgencyId = d.AgencyId, UserId = d.StaffUserId }).ToListAsync(cancellationToken);
        var bases = await db.StatutoryBases.AsNoTracking().Where(b => b.SurvivorId == survivorId).ToListAsync(cancellationToken);
        var mous = await db.Mous.AsNoTracking()
            .Where(m => m.Parties.Any(p => p.AgencyId == recipientAgencyId)).ToListAsync(cancellationToken);
        var codes = consentOptions.Value.Purposes.ToDictionary(p => p.Key, p => p.Value.Code, StringComparer.Ordinal);
        return new LoadedFacts(version,
            survivor is null ? null : new SurvivorFacts { Id = survivor.Id, DateOfBirth = survivor.DateOfBirth },
            grants, denied, [.. bases.Select(b => Basis(b, codes))], mous, codes);
    }

    internal ValueTask<PolicyDecision> DecideAsync(PolicyInput input, CancellationToken cancellationToken) =>
        policy.DecideAsync(input, cancellationToken);

    internal string? CategoryOf(string resourceType, IReadOnlyList<string> labels) => classifier.CategoryOf(resourceType, labels);

    internal PolicyGrant Grant(ApiGrant grant, string sourceAgencyId, DateTimeOffset now, IReadOnlyDictionary<string, string> codes) => new()
    {
        Id = grant.Id.ToString("D"),
        SurvivorId = grant.SurvivorId,
        RecipientAgencyId = grant.RecipientAgencyId,
        SourceAgencyIds = grant.AllSources ? [sourceAgencyId] : grant.SourceAgencyIds,
        Categories = grant.Categories,
        Purposes = Codes(grant.Purposes, codes),
        Labels = classifier.LabelsNamedBy(grant.Categories),
        Start = grant.Start,
        End = grant.End,
        Status = grant.StatusAt(now) switch
        {
            ConsentStatus.Active => GrantStatuses.Active,
            ConsentStatus.Revoked => GrantStatuses.Revoked,
            ConsentStatus.Expired => GrantStatuses.Expired,
            _ => "pending",
        },
    };

    /// <summary>
    /// The MOU as the policy sees it for one direction: the source discloses, the recipient receives, if the MOU has
    /// that flow; both count as signed only when every party has signed (at the last signature).
    /// </summary>
    internal static PolicyMou? Mou(ApiMou mou, string sourceAgencyId, string recipientAgencyId, DateTimeOffset now,
        IReadOnlyDictionary<string, string> codes)
    {
        if (!mou.Flows.Any(f => f.SourceAgencyId == sourceAgencyId && f.RecipientAgencyId == recipientAgencyId))
        {
            return null;
        }

        DateTimeOffset? signedAt = mou.Parties.All(p => p.SignedAt is not null) ? mou.Parties.Max(p => p.SignedAt) : null;
        return new PolicyMou
        {
            Id = mou.Id.ToString("D"),
            Status = mou.StatusAt(now) switch
            {
                ApiMouStatus.Active => MouStatuses.Active,
                ApiMouStatus.Expired => MouStatuses.Expired,
                ApiMouStatus.Terminated => MouStatuses.Terminated,
                ApiMouStatus.Draft => MouStatuses.Draft,
                ApiMouStatus.PendingSignature => MouStatuses.PendingSignature,
                _ => "signed",
            },
            Parties =
            [
                new PolicyMouParty { AgencyId = sourceAgencyId, SignedAt = signedAt, Discloses = true, Receives = false },
                new PolicyMouParty { AgencyId = recipientAgencyId, SignedAt = signedAt, Discloses = false, Receives = true },
            ],
            Purposes = Codes(mou.Purposes, codes),
            Categories = mou.Categories,
            Effective = mou.EffectiveFrom,
            Expires = mou.ExpiresAt,
            AllowsEmergencyAccess = mou.AllowsEmergencyAccess,
        };
    }

    private static PolicyStatutoryBasis Basis(ApiStatutoryBasis basis, IReadOnlyDictionary<string, string> codes) => new()
    {
        Id = basis.Id.ToString("D"),
        Kind = StatutoryBasisKinds.ChildProtectionReport,
        SurvivorId = basis.SurvivorId,
        Status = basis.IsOpen ? StatutoryBasisStatuses.Open : StatutoryBasisStatuses.Closed,
        OpenedAt = basis.OpenedAt,
        ClosedAt = basis.ClosedAt,
        CaseNumber = basis.CaseNumber,
        Participants = [.. basis.InvolvedAgencies.Select(a => new CaseParticipant { AgencyId = a.AgencyId, Role = Role(a.Role) })],
        Purposes = Codes([ApiStatutoryBasis.Purpose], codes),
    };

    private static string Role(InvolvedRole role) => role switch
    {
        InvolvedRole.LawEnforcement => CaseRoles.LawEnforcement,
        InvolvedRole.ChildProtection => CaseRoles.ChildProtection,
        InvolvedRole.Therapist => CaseRoles.Therapist,
        InvolvedRole.MedicalProvider => CaseRoles.MedicalProvider,
        _ => "",
    };

    private static string[] Codes(IEnumerable<string> slugs, IReadOnlyDictionary<string, string> codes) =>
        [.. slugs.Select(s => codes.GetValueOrDefault(s)).OfType<string>().Distinct(StringComparer.Ordinal)];
}

/// <summary>The facts of one survivor as one recipient agency would be judged on them, loaded at one facts version.</summary>
internal sealed record LoadedFacts(long Version, SurvivorFacts? Survivor, List<ApiGrant> Grants, List<DenyListEntry> DenyList,
    List<PolicyStatutoryBasis> Bases, List<ApiMou> Mous, IReadOnlyDictionary<string, string> Codes);

/// <summary>
/// Loaded facts per (survivor, recipient agency), reused while the facts version has not moved. Bounded: the least
/// recently used go first, and unused ones after five minutes.
/// </summary>
public sealed class SharingFactsCache() : MemoryCache(new MemoryCacheOptions { SizeLimit = 10_000 });

/// <summary>One survivor's facts for one recipient and purpose, with each kind of record decided once.</summary>
public sealed class SurvivorSharing
{
    private readonly SharingDecisions decisions;
    private readonly LoadedFacts facts;
    private readonly Dictionary<string, PolicyDecision> decided = new(StringComparer.Ordinal);

    internal SurvivorSharing(SharingDecisions decisions, Requester requester, string survivorId, string purposeCode, string? breakGlassReason,
        DateTimeOffset now, LoadedFacts facts)
    {
        this.decisions = decisions;
        Requester = requester;
        SurvivorId = survivorId;
        PurposeCode = purposeCode;
        BreakGlassReason = breakGlassReason;
        Now = now;
        this.facts = facts;
    }

    public Requester Requester { get; }

    public string SurvivorId { get; }

    public string PurposeCode { get; }

    public string? BreakGlassReason { get; }

    public DateTimeOffset Now { get; }

    /// <summary>The decision on a record of <paramref name="resourceType"/> with <paramref name="labels"/>, written by <paramref name="sourceAgencyId"/>.</summary>
    public async ValueTask<PolicyDecision> DecideAsync(string sourceAgencyId, string resourceType, IReadOnlyList<string> labels,
        CancellationToken cancellationToken)
    {
        var category = decisions.CategoryOf(resourceType, labels);
        var key = string.Join('\u001f', [sourceAgencyId, resourceType, category ?? "", .. labels]);
        if (decided.TryGetValue(key, out var known))
        {
            return known;
        }

        var input = new PolicyInput
        {
            Time = Now,
            Requester = Requester,
            Request = new PolicyRequest
            {
                SurvivorId = SurvivorId,
                ResourceType = resourceType,
                Category = category ?? "",
                Labels = labels,
                SourceAgencyId = sourceAgencyId,
                PurposeOfUse = PurposeCode,
                BreakGlassReason = BreakGlassReason,
            },
            Facts = new PolicyFacts
            {
                Survivor = facts.Survivor,
                Grants = [.. facts.Grants.Select(g => decisions.Grant(g, sourceAgencyId, Now, facts.Codes))],
                Mous = [.. facts.Mous.Select(m => SharingDecisions.Mou(m, sourceAgencyId, Requester.AgencyId, Now, facts.Codes)).OfType<PolicyMou>()],
                StatutoryBases = facts.Bases,
                DenyList = facts.DenyList,
            },
        };

        var decision = await decisions.DecideAsync(input, cancellationToken);
        decided[key] = decision;
        return decision;
    }
}
