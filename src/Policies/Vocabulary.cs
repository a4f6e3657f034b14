namespace Consent.Policies;

// The codes the policy understands. Consent.Api maps its own data to these; the Rego bundle
// (rego/consent/rules/rules.rego) holds the same lists, and docs/policy.md tables them.

/// <summary>Kinds of agency. A requester of any other type is denied (<c>unknown-agency-type</c>).</summary>
public static class AgencyTypes
{
    public const string Shelter = "shelter";
    public const string Legal = "legal";
    public const string Medical = "medical";
    public const string BehavioralHealth = "behavioral-health";
    public const string LawEnforcement = "law-enforcement";
    public const string ChildProtection = "child-protection";
    public const string VictimServices = "victim-services";
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } =
        [Shelter, Legal, Medical, BehavioralHealth, LawEnforcement, ChildProtection, VictimServices, Other];

    public static bool IsKnown(string? type) => Contains(All, type);

    internal static bool Contains(IReadOnlyList<string> codes, string? code)
    {
        if (code is null)
        {
            return false;
        }

        for (var i = 0; i < codes.Count; i++)
        {
            if (string.Equals(codes[i], code, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Purposes of use: HL7 v3 PurposeOfUse codes (system <c>http://terminology.hl7.org/CodeSystem/v3-ActReason</c>)
/// and local codes (<see cref="ChildProtection"/>, <see cref="SafetyPlanning"/>, <see cref="LawEnforcement"/>) for purposes v3 lacks.
/// </summary>
public static class PurposesOfUse
{
    /// <summary>Treatment.</summary>
    public const string Treatment = "TREAT";

    /// <summary>Emergency treatment.</summary>
    public const string EmergencyTreatment = "ETREAT";

    /// <summary>Care management (case management).</summary>
    public const string CareManagement = "CAREMGT";

    /// <summary>Coordination of care.</summary>
    public const string CoordinationOfCare = "COC";

    /// <summary>Public health.</summary>
    public const string PublicHealth = "PUBHLTH";

    /// <summary>Healthcare operations.</summary>
    public const string HealthcareOperations = "HOPERAT";

    /// <summary>Legal (e.g. legal aid preparing a protective-order petition).</summary>
    public const string Legal = "HLEGAL";

    /// <summary>Local code: child-protection investigation under an open 51A case.</summary>
    public const string ChildProtection = "CHILDPROT";

    /// <summary>Local code: safety planning with the survivor (shelters, advocates).</summary>
    public const string SafetyPlanning = "SAFETYPLAN";

    /// <summary>Local code: a law-enforcement investigation (only ever on a grant or a 51A case).</summary>
    public const string LawEnforcement = "LAWENF";

    /// <summary>The system of the local code.</summary>
    public const string LocalSystem = "https://consent.example/fhir/CodeSystem/purpose-of-use";

    public static IReadOnlyList<string> All { get; } =
        [Treatment, EmergencyTreatment, CareManagement, CoordinationOfCare, PublicHealth, HealthcareOperations, Legal, ChildProtection,
         SafetyPlanning, LawEnforcement];

    public static bool IsKnown(string? code) => AgencyTypes.Contains(All, code);
}

/// <summary>
/// Sensitive security labels: HL7 v3 ActCode information-sensitivity codes, and one local code for
/// immigration status, for which v3 has none. Data carrying one of these is returned only when the
/// basis names the label. Labels are matched without regard to case, so that a mis-cased label is never
/// mistaken for a harmless one; every other label is not sensitive and is ignored by the rule.
/// </summary>
public static class SecurityLabels
{
    /// <summary>Psychiatry / mental health information.</summary>
    public const string MentalHealth = "PSY";

    /// <summary>Substance use disorder information (42 CFR Part 2).</summary>
    public const string SubstanceUse = "SUD";

    /// <summary>Substance abuse information, the broader older code; treated like <see cref="SubstanceUse"/>.</summary>
    public const string SubstanceAbuse = "ETH";

    /// <summary>HIV/AIDS information.</summary>
    public const string Hiv = "HIV";

    /// <summary>Sexual assault, abuse or domestic violence information.</summary>
    public const string SexualViolence = "SDV";

    /// <summary>Local code: immigration status.</summary>
    public const string Immigration = "IMMIGRATION";

    /// <summary>The system of the v3 codes.</summary>
    public const string ActCodeSystem = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    /// <summary>The system of the local code.</summary>
    public const string LocalSystem = "https://consent.example/fhir/CodeSystem/security-label";

    /// <summary>All sensitive labels, in ordinal order (the order obligations list them in).</summary>
    public static IReadOnlyList<string> Sensitive { get; } = LabelSet.Codes;

    public static bool IsSensitive(string? label) => LabelSet.Bit(label) != 0;
}

/// <summary>Roles on a statutory-basis case.</summary>
public static class CaseRoles
{
    public const string LawEnforcement = "law-enforcement";
    public const string ChildProtection = "child-protection";
    public const string Therapist = "therapist";
    public const string MedicalProvider = "medical-provider";

    /// <summary>The roles that may share a minor's information under an open 51A case.</summary>
    public static IReadOnlyList<string> ChildProtectionCase { get; } = [LawEnforcement, ChildProtection, Therapist, MedicalProvider];
}

public static class GrantStatuses
{
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
}

public static class MouStatuses
{
    public const string Draft = "draft";
    public const string PendingSignature = "pending-signature";
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Terminated = "terminated";
}

public static class StatutoryBasisKinds
{
    /// <summary>A child-protection report on a minor (51A-style).</summary>
    public const string ChildProtectionReport = "51A";
}

public static class StatutoryBasisStatuses
{
    public const string Open = "open";
    public const string Closed = "closed";
}

/// <summary>
/// The reasons a decision gives. Permit reasons name what was used (<c>grant:&lt;id&gt;</c>,
/// <c>mou:&lt;id&gt;</c>, <c>statutory-basis:&lt;id&gt;</c>, <c>break-glass</c>, <c>own-record</c>);
/// deny reasons name the rule that denied. Reasons are a set; the order carries no meaning.
/// </summary>
public static class PolicyReasons
{
    public const string GrantPrefix = "grant:";
    public const string MouPrefix = "mou:";
    public const string StatutoryBasisPrefix = "statutory-basis:";
    public const string BreakGlass = "break-glass";
    public const string OwnRecord = "own-record";

    public const string DenyList = "deny-list";
    public const string NoActiveMou = "no-active-mou";
    public const string NoConsentOrBasis = "no-consent-or-basis";
    public const string BreakGlassNotAllowed = "break-glass-not-allowed";
    public const string LabelNotCoveredPrefix = "label-not-covered:";
    public const string InvalidInputPrefix = "invalid-input:";
    public const string UnknownAgencyType = "unknown-agency-type";
    public const string UnknownPurpose = "unknown-purpose";

    // The OPA client fails closed with one of these.
    public const string OpaTimeout = "opa-timeout";
    public const string OpaUnreachable = "opa-unreachable";
    public const string OpaCircuitOpen = "opa-circuit-open";
    public const string OpaHttpErrorPrefix = "opa-http-error:";
    public const string OpaMalformedAnswer = "opa-malformed-answer";
    public const string OpaUndefinedResult = "opa-undefined-result";
}
