using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.StatutoryBases;
using Consent.Policies;
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
/// The one mapping from the platform's facts to the policy's input: purpose slugs to codes, sensitive categories to
/// the labels a grant opens, each MOU to the direction of the read (the source discloses, the recipient receives),
/// statutory bases to cases with roles.
/// </summary>
internal static class PolicyInputs
{
    /// <summary>The input for one kind of record of the survivor, written by <paramref name="sourceAgencyId"/>.</summary>
    internal static PolicyInput For(Requester requester, string survivorId, string purposeCode, string? breakGlassReason, DateTimeOffset now,
        LoadedFacts facts, string sourceAgencyId, string resourceType, string? category, IReadOnlyList<string> labels, RecordClassifier classifier) => new()
    {
        Time = now,
        Requester = requester,
        Request = new PolicyRequest
        {
            SurvivorId = survivorId,
            ResourceType = resourceType,
            Category = category ?? "",
            Labels = labels,
            SourceAgencyId = sourceAgencyId,
            PurposeOfUse = purposeCode,
            BreakGlassReason = breakGlassReason,
        },
        Facts = new PolicyFacts
        {
            Survivor = facts.Survivor,
            Grants = [.. facts.Grants.Select(g => Grant(g, sourceAgencyId, now, classifier))],
            Mous = [.. facts.Mous.Select(m => Mou(m, sourceAgencyId, requester.AgencyId, now)).OfType<PolicyMou>()],
            StatutoryBases = facts.Bases,
            DenyList = facts.DenyList,
        },
    };

    internal static PolicyGrant Grant(ApiGrant grant, string sourceAgencyId, DateTimeOffset now, RecordClassifier classifier) => new()
    {
        Id = grant.Id.ToString("D"),
        SurvivorId = grant.SurvivorId,
        RecipientAgencyId = grant.RecipientAgencyId,
        SourceAgencyIds = grant.AllSources ? [sourceAgencyId] : grant.SourceAgencyIds,
        Categories = grant.Categories,
        Purposes = Distinct(grant.Purposes),
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
    internal static PolicyMou? Mou(ApiMou mou, string sourceAgencyId, string recipientAgencyId, DateTimeOffset now)
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
            Purposes = Distinct(mou.Purposes),
            Categories = mou.Categories,
            Effective = mou.EffectiveFrom,
            Expires = mou.ExpiresAt,
            AllowsEmergencyAccess = mou.AllowsEmergencyAccess,
        };
    }

    internal static PolicyStatutoryBasis Basis(ApiStatutoryBasis basis) => new()
    {
        Id = basis.Id.ToString("D"),
        Kind = StatutoryBasisKinds.ChildProtectionReport,
        SurvivorId = basis.SurvivorId,
        Status = basis.IsOpen ? StatutoryBasisStatuses.Open : StatutoryBasisStatuses.Closed,
        OpenedAt = basis.OpenedAt,
        ClosedAt = basis.ClosedAt,
        CaseNumber = basis.CaseNumber,
        Participants = [.. basis.InvolvedAgencies.Select(a => new CaseParticipant { AgencyId = a.AgencyId, Role = Role(a.Role) })],
    };

    private static string Role(InvolvedRole role) => role switch
    {
        InvolvedRole.LawEnforcement => CaseRoles.LawEnforcement,
        InvolvedRole.ChildProtection => CaseRoles.ChildProtection,
        InvolvedRole.Therapist => CaseRoles.Therapist,
        InvolvedRole.MedicalProvider => CaseRoles.MedicalProvider,
        _ => "",
    };

    private static string[] Distinct(IEnumerable<string> codes) => [.. codes.Distinct(StringComparer.Ordinal)];
}
