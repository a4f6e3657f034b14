namespace Consent.Policies;

/// <summary>
/// The sharing rule in C#: in process, no I/O, and light on allocations (plain loops over the facts,
/// labels as a bit set, shared arrays for fixed answers). It must agree with the Rego bundle on every
/// decision vector in <c>vectors/</c>; docs/policy.md states the rule in plain words.
/// </summary>
public sealed class EmbeddedPolicyEvaluator : IPolicyDecisionPoint
{
    private static readonly PolicyDecision DeniedByDenyList = PolicyDecision.Deny(PolicyReasons.DenyList);
    private static readonly PolicyDecision DeniedNoMou = PolicyDecision.Deny(PolicyReasons.NoActiveMou);
    private static readonly PolicyDecision DeniedNoBasis = PolicyDecision.Deny(PolicyReasons.NoConsentOrBasis);
    private static readonly PolicyDecision DeniedNoMouNoBasis = PolicyDecision.Deny([PolicyReasons.NoActiveMou, PolicyReasons.NoConsentOrBasis]);
    private static readonly PolicyFacts NoFacts = new();

    public ValueTask<PolicyDecision> DecideAsync(PolicyInput input, CancellationToken cancellationToken = default) =>
        new(Decide(input));

    public static PolicyDecision Decide(PolicyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        var invalid = Validate(input);
        if (invalid is not null)
        {
            return PolicyDecision.Deny(invalid);
        }

        var requester = input.Requester;
        var request = input.Request;
        var facts = input.Facts ?? NoFacts;
        var now = input.Time;

        // An agency reading what it wrote itself is not a disclosure.
        if (string.Equals(requester.AgencyId, request.SourceAgencyId, StringComparison.Ordinal))
        {
            return Permit([PolicyReasons.OwnRecord], request, LabelSet.All, breakGlass: false, redisclosureNotice: false);
        }

        var denyListed = IsDenyListed(facts.DenyList, requester);

        // The deny list overrides everything: grants, MOUs, 51A cases and emergencies alike.
        if (denyListed)
        {
            return DeniedByDenyList;
        }

        var mous = facts.Mous ?? [];
        var coveringMous = 0;
        var emergencyAllowed = false;
        for (var i = 0; i < mous.Count; i++)
        {
            if (MouCovers(mous[i], input))
            {
                coveringMous++;
                emergencyAllowed |= mous[i].AllowsEmergencyAccess;
            }
        }

        var grants = facts.Grants ?? [];
        var coveringGrants = 0;
        var grantLabels = 0;
        for (var i = 0; i < grants.Count; i++)
        {
            if (GrantCovers(grants[i], input))
            {
                coveringGrants++;
                grantLabels |= LabelSet.Of(grants[i].Labels);
            }
        }

        var bases = facts.StatutoryBases ?? [];
        var childProtectionCases = 0;
        for (var i = 0; i < bases.Count; i++)
        {
            if (ChildProtectionCaseCovers(bases[i], input))
            {
                childProtectionCases++;
            }
        }

        var breakGlassRequested = !string.IsNullOrWhiteSpace(request.BreakGlassReason);
        // Law enforcement reads only on a grant or a 51A case: never by breaking the glass.
        var breakGlass = breakGlassRequested && emergencyAllowed
            && !string.Equals(requester.AgencyType, AgencyTypes.LawEnforcement, StringComparison.Ordinal);

        // Grants, 51A cases and emergencies count only under an MOU in force.
        var hasMouBasis = coveringGrants > 0 || childProtectionCases > 0 || breakGlass;
        if (coveringMous == 0 || !hasMouBasis)
        {
            if (breakGlassRequested && !breakGlass)
            {
                var reasons = new List<string>(3);
                if (coveringMous == 0)
                {
                    reasons.Add(PolicyReasons.NoActiveMou);
                }

                if (!hasMouBasis)
                {
                    reasons.Add(PolicyReasons.NoConsentOrBasis);
                }

                reasons.Add(PolicyReasons.BreakGlassNotAllowed);
                reasons.Sort(StringComparer.Ordinal);
                return PolicyDecision.Deny(reasons);
            }

            return (coveringMous == 0, hasMouBasis) switch
            {
                (true, true) => DeniedNoMou,
                (true, false) => DeniedNoMouNoBasis,
                _ => DeniedNoBasis,
            };
        }

        var opened = grantLabels;
        if (childProtectionCases > 0)
        {
            // A 51A case opens every sensitive label except substance use (42 CFR Part 2 needs consent).
            opened |= LabelSet.All & ~LabelSet.Substance;
        }

        var missing = LabelSet.Of(request.Labels) & ~opened;
        if (missing != 0)
        {
            var codes = LabelSet.List(missing);
            var reasons = new string[codes.Length];
            for (var i = 0; i < codes.Length; i++)
            {
                reasons[i] = PolicyReasons.LabelNotCoveredPrefix + codes[i];
            }

            return PolicyDecision.Deny(reasons);
        }

        return Permit(PermitReasons(input, facts, breakGlass), request, opened, breakGlass, redisclosureNotice: (opened & LabelSet.Substance) != 0);
    }

    private static List<string> PermitReasons(PolicyInput input, PolicyFacts facts, bool breakGlass)
    {
        var reasons = new List<string>(8);
        var mous = facts.Mous ?? [];
        for (var i = 0; i < mous.Count; i++)
        {
            if (MouCovers(mous[i], input))
            {
                reasons.Add(PolicyReasons.MouPrefix + mous[i].Id);
            }
        }

        var grants = facts.Grants ?? [];
        for (var i = 0; i < grants.Count; i++)
        {
            if (GrantCovers(grants[i], input))
            {
                reasons.Add(PolicyReasons.GrantPrefix + grants[i].Id);
            }
        }

        var bases = facts.StatutoryBases ?? [];
        for (var i = 0; i < bases.Count; i++)
        {
            if (ChildProtectionCaseCovers(bases[i], input))
            {
                reasons.Add(PolicyReasons.StatutoryBasisPrefix + bases[i].Id);
            }
        }

        if (breakGlass)
        {
            reasons.Add(PolicyReasons.BreakGlass);
        }

        // Reasons are a set: sorted and without repeats, as OPA returns a Rego set.
        reasons.Sort(StringComparer.Ordinal);
        for (var i = reasons.Count - 1; i > 0; i--)
        {
            if (string.Equals(reasons[i], reasons[i - 1], StringComparison.Ordinal))
            {
                reasons.RemoveAt(i);
            }
        }

        return reasons;
    }

    private static PolicyDecision Permit(IReadOnlyList<string> reasons, PolicyRequest request, int opened, bool breakGlass, bool redisclosureNotice) =>
        new(
            PolicyEffect.Permit,
            reasons,
            new PolicyObligations
            {
                ResourceTypes = [request.ResourceType],
                Labels = LabelSet.List(opened),
                RedactLabels = LabelSet.Complement(opened),
                BreakGlass = breakGlass,
                RedisclosureNotice = redisclosureNotice,
            },
            PolicyVersion.Current);

    private static List<string>? Validate(PolicyInput input)
    {
        List<string>? invalid = null;
        var requester = input.Requester;
        var request = input.Request;

        if (input.Time == default)
        {
            Add(ref invalid, PolicyReasons.InvalidInputPrefix + "time");
        }

        if (requester is null)
        {
            Add(ref invalid, PolicyReasons.InvalidInputPrefix + "requester.agencyId");
            Add(ref invalid, PolicyReasons.InvalidInputPrefix + "requester.agencyType");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(requester.AgencyId))
            {
                Add(ref invalid, PolicyReasons.InvalidInputPrefix + "requester.agencyId");
            }

            if (string.IsNullOrWhiteSpace(requester.AgencyType))
            {
                Add(ref invalid, PolicyReasons.InvalidInputPrefix + "requester.agencyType");
            }
            else if (!AgencyTypes.IsKnown(requester.AgencyType))
            {
                Add(ref invalid, PolicyReasons.UnknownAgencyType);
            }
        }

        if (request is null)
        {
            foreach (var field in RequestFields)
            {
                Add(ref invalid, PolicyReasons.InvalidInputPrefix + field);
            }
        }
        else
        {
            Require(ref invalid, request.SurvivorId, "request.survivorId");
            Require(ref invalid, request.ResourceType, "request.resourceType");
            Require(ref invalid, request.Category, "request.category");
            Require(ref invalid, request.SourceAgencyId, "request.sourceAgencyId");
            if (string.IsNullOrWhiteSpace(request.PurposeOfUse))
            {
                Add(ref invalid, PolicyReasons.InvalidInputPrefix + "request.purposeOfUse");
            }
            else if (!PurposesOfUse.IsKnown(request.PurposeOfUse))
            {
                Add(ref invalid, PolicyReasons.UnknownPurpose);
            }
        }

        invalid?.Sort(StringComparer.Ordinal);
        return invalid;

        static void Require(ref List<string>? invalid, string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(ref invalid, PolicyReasons.InvalidInputPrefix + field);
            }
        }

        static void Add(ref List<string>? invalid, string reason) => (invalid ??= []).Add(reason);
    }

    private static readonly string[] RequestFields =
        ["request.survivorId", "request.resourceType", "request.category", "request.sourceAgencyId", "request.purposeOfUse"];

    private static bool IsDenyListed(IReadOnlyList<DenyListEntry>? denyList, Requester requester)
    {
        if (denyList is null)
        {
            return false;
        }

        for (var i = 0; i < denyList.Count; i++)
        {
            var entry = denyList[i];
            if (!string.IsNullOrWhiteSpace(entry.AgencyId) && string.Equals(entry.AgencyId, requester.AgencyId, StringComparison.Ordinal))
            {
                return true;
            }

            if (!string.IsNullOrWhiteSpace(entry.UserId) && string.Equals(entry.UserId, requester.UserId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool GrantCovers(ConsentGrant grant, PolicyInput input)
    {
        var request = input.Request;
        return string.Equals(grant.Status, GrantStatuses.Active, StringComparison.Ordinal)
            && string.Equals(grant.SurvivorId, request.SurvivorId, StringComparison.Ordinal)
            && string.Equals(grant.RecipientAgencyId, input.Requester.AgencyId, StringComparison.Ordinal)
            && grant.Start <= input.Time
            && input.Time < grant.End
            && Contains(grant.SourceAgencyIds, request.SourceAgencyId)
            && Contains(grant.Categories, request.Category)
            && Contains(grant.Purposes, request.PurposeOfUse);
    }

    private static bool MouCovers(Mou mou, PolicyInput input)
    {
        if (!string.Equals(mou.Status, MouStatuses.Active, StringComparison.Ordinal)
            || input.Time < mou.Effective
            || input.Time >= mou.Expires
            || !Contains(mou.Purposes, input.Request.PurposeOfUse)
            || !Contains(mou.Categories, input.Request.Category))
        {
            return false;
        }

        var parties = mou.Parties;
        if (parties is null || parties.Count < 2)
        {
            return false;
        }

        var sourceDiscloses = false;
        var recipientReceives = false;
        for (var i = 0; i < parties.Count; i++)
        {
            var party = parties[i];

            // Every party must have signed by now: an MOU signed by one party of two binds nobody.
            if (party.SignedAt is not { } signedAt || signedAt > input.Time)
            {
                return false;
            }

            if (party.Discloses != false && string.Equals(party.AgencyId, input.Request.SourceAgencyId, StringComparison.Ordinal))
            {
                sourceDiscloses = true;
            }

            if (party.Receives != false && string.Equals(party.AgencyId, input.Requester.AgencyId, StringComparison.Ordinal))
            {
                recipientReceives = true;
            }
        }

        return sourceDiscloses && recipientReceives;
    }

    private static bool IsOpen(StatutoryBasis basis, DateTimeOffset now) =>
        string.Equals(basis.Status, StatutoryBasisStatuses.Open, StringComparison.Ordinal)
        && basis.OpenedAt <= now
        && (basis.ClosedAt is not { } closedAt || now < closedAt);

    private static bool ChildProtectionCaseCovers(StatutoryBasis basis, PolicyInput input)
    {
        var request = input.Request;
        return string.Equals(basis.Kind, StatutoryBasisKinds.ChildProtectionReport, StringComparison.Ordinal)
            && string.Equals(basis.SurvivorId, request.SurvivorId, StringComparison.Ordinal)
            && string.Equals(request.PurposeOfUse, PurposesOfUse.ChildProtection, StringComparison.Ordinal)
            && IsOpen(basis, input.Time)
            && IsMinor(input.Facts?.Survivor?.DateOfBirth, input.Time)
            && HasParticipant(basis.Participants, input.Requester.AgencyId, CaseRoles.ChildProtectionCase)
            && HasParticipant(basis.Participants, request.SourceAgencyId, CaseRoles.ChildProtectionCase);
    }

    private static bool HasParticipant(IReadOnlyList<CaseParticipant>? participants, string agencyId, IReadOnlyList<string> roles)
    {
        if (participants is null)
        {
            return false;
        }

        for (var i = 0; i < participants.Count; i++)
        {
            if (string.Equals(participants[i].AgencyId, agencyId, StringComparison.Ordinal) && Contains(roles, participants[i].Role))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Under 18 on the decision's UTC date (<see cref="Majority"/>).</summary>
    internal static bool IsMinor(DateOnly? dateOfBirth, DateTimeOffset now) => Majority.IsMinor(dateOfBirth, now);

    private static bool Contains(IReadOnlyList<string>? values, string? value) =>
        values is not null && AgencyTypes.Contains(values, value);
}
