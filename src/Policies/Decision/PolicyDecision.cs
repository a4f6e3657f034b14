namespace Consent.Policies;

public enum PolicyEffect
{
    /// <summary>The default: nothing is returned.</summary>
    Deny = 0,
    Permit = 1,
}

/// <summary>What a permit rests on: a grant, an MOU or a statutory basis (with its id), or an emergency (no id).</summary>
public enum PolicyBasisKind
{
    Grant,
    Mou,
    StatutoryBasis,
    BreakGlass,
}

/// <summary>One basis of a permit, typed: read from the decision's reasons here, so no caller parses reason text.</summary>
public sealed record PolicyBasis(PolicyBasisKind Kind, string? Id);

/// <summary>
/// The answer to one read: permit or deny, why, what may be returned, and the version of the rule
/// that decided. Record all of it in the disclosure log; show none of the reasons to the caller
/// (a deny must look like a record that does not exist).
/// </summary>
public sealed record PolicyDecision
{
    public PolicyDecision(PolicyEffect effect, IReadOnlyList<string> reasons, PolicyObligations obligations, string policyVersion)
    {
        Effect = effect;
        Reasons = reasons;
        Obligations = effect == PolicyEffect.Permit ? obligations : PolicyObligations.None;
        PolicyVersion = policyVersion;
    }

    public PolicyEffect Effect { get; }

    public bool IsPermit => Effect == PolicyEffect.Permit;

    /// <summary>A set of reason codes; see <see cref="PolicyReasons"/>. Never empty.</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>What a permit allows to be returned; <see cref="PolicyObligations.None"/> on a deny.</summary>
    public PolicyObligations Obligations { get; }

    public string PolicyVersion { get; }

    /// <summary>
    /// The grants, MOUs, statutory bases and emergency a permit rests on, in the order of the reasons; empty on a deny
    /// and for an agency's own record (which is not a disclosure). Read from the reasons when asked, so deciding
    /// allocates nothing for it.
    /// </summary>
    public IReadOnlyList<PolicyBasis> Bases => IsPermit ? BasesOf(Reasons) : [];

    private static List<PolicyBasis> BasesOf(IReadOnlyList<string> reasons)
    {
        var bases = new List<PolicyBasis>(reasons.Count);
        foreach (var reason in reasons)
        {
            PolicyBasis? basis = reason switch
            {
                _ when reason.StartsWith(PolicyReasons.GrantPrefix, StringComparison.Ordinal) =>
                    new(PolicyBasisKind.Grant, reason[PolicyReasons.GrantPrefix.Length..]),
                _ when reason.StartsWith(PolicyReasons.MouPrefix, StringComparison.Ordinal) =>
                    new(PolicyBasisKind.Mou, reason[PolicyReasons.MouPrefix.Length..]),
                _ when reason.StartsWith(PolicyReasons.StatutoryBasisPrefix, StringComparison.Ordinal) =>
                    new(PolicyBasisKind.StatutoryBasis, reason[PolicyReasons.StatutoryBasisPrefix.Length..]),
                PolicyReasons.BreakGlass => new(PolicyBasisKind.BreakGlass, null),
                _ => null,
            };
            if (basis is not null)
            {
                bases.Add(basis);
            }
        }

        return bases;
    }

    public static PolicyDecision Deny(IReadOnlyList<string> reasons, string? policyVersion = null) =>
        new(PolicyEffect.Deny, reasons, PolicyObligations.None, policyVersion ?? Policies.PolicyVersion.Current);

    public static PolicyDecision Deny(string reason, string? policyVersion = null) => Deny([reason], policyVersion);
}

/// <summary>What the caller must do with the data a permit covers.</summary>
public sealed record PolicyObligations
{
    public static PolicyObligations None { get; } = new();

    /// <summary>The resource types the permit covers.</summary>
    public IReadOnlyList<string> ResourceTypes { get; init; } = [];

    /// <summary>Sensitive labels that may be returned (named by the basis used).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Sensitive labels that must not be returned: withhold any resource carrying one of them.</summary>
    public IReadOnlyList<string> RedactLabels { get; init; } = [];

    /// <summary>An emergency read: flag it for compliance review.</summary>
    public bool BreakGlass { get; init; }

    /// <summary>Substance-use data may be returned: attach the 42 CFR 2.32 re-disclosure notice.</summary>
    public bool RedisclosureNotice { get; init; }
}
