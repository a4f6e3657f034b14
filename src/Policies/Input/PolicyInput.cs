using System.Text.Json.Serialization;

namespace Consent.Policies;

/// <summary>
/// Everything a decision looks at: who asks, for what, why, when, and the survivor's own facts.
/// The caller fetches only this survivor's grants, statutory bases and deny list (an indexed query),
/// and the MOUs naming the two agencies; the evaluator does no I/O of its own.
/// </summary>
/// <remarks>Serialized in camelCase, this is also the <c>input</c> document the Rego bundle reads.</remarks>
public sealed record PolicyInput
{
    /// <summary>The decision time (UTC). Part of the input so that a decision can be replayed.</summary>
    /// <remarks>Unset, it is left out of the JSON, so that OPA too sees no time and denies.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public DateTimeOffset Time { get; init; }

    public Requester Requester { get; init; } = new();

    public PolicyRequest Request { get; init; } = new();

    public PolicyFacts Facts { get; init; } = new();
}

/// <summary>The agency system (and, where known, the user) asking to read; the would-be recipient.</summary>
public sealed record Requester
{
    public string AgencyId { get; init; } = "";

    /// <summary>One of <see cref="AgencyTypes"/>.</summary>
    public string AgencyType { get; init; } = "";

    public string? ClientId { get; init; }

    public string? UserId { get; init; }

    /// <summary>The user's role in their agency; recorded, not used by the rule.</summary>
    public string? Role { get; init; }
}

/// <summary>What is asked for and why.</summary>
public sealed record PolicyRequest
{
    public string SurvivorId { get; init; } = "";

    /// <summary>FHIR resource type, e.g. <c>Observation</c>.</summary>
    public string ResourceType { get; init; } = "";

    /// <summary>The configured data category the resource type belongs to, e.g. <c>health</c>.</summary>
    public string Category { get; init; } = "";

    /// <summary>Security labels on the requested data; see <see cref="SecurityLabels"/>.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The agency that wrote (owns) the record.</summary>
    public string SourceAgencyId { get; init; } = "";

    /// <summary>One of <see cref="PurposesOfUse"/>.</summary>
    public string PurposeOfUse { get; init; } = "";

    /// <summary>Set only for an emergency (break-glass) read; a blank reason counts as none.</summary>
    public string? BreakGlassReason { get; init; }
}

/// <summary>The survivor's own facts, as the consent store holds them at the decision time.</summary>
public sealed record PolicyFacts
{
    public SurvivorFacts? Survivor { get; init; }

    public IReadOnlyList<ConsentGrant> Grants { get; init; } = [];

    /// <summary>MOUs naming the source agency or the recipient; others are ignored.</summary>
    public IReadOnlyList<Mou> Mous { get; init; } = [];

    public IReadOnlyList<StatutoryBasis> StatutoryBases { get; init; } = [];

    public IReadOnlyList<DenyListEntry> DenyList { get; init; } = [];
}

public sealed record SurvivorFacts
{
    public string Id { get; init; } = "";

    /// <summary>Needed for the minor rules (51A); unknown means the survivor is not treated as a minor.</summary>
    public DateOnly? DateOfBirth { get; init; }
}

/// <summary>A survivor's consent for one recipient agency to read records of named source agencies.</summary>
public sealed record ConsentGrant
{
    public string Id { get; init; } = "";

    public string SurvivorId { get; init; } = "";

    public string RecipientAgencyId { get; init; } = "";

    public IReadOnlyList<string> SourceAgencyIds { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public IReadOnlyList<string> Purposes { get; init; } = [];

    /// <summary>Sensitive labels this grant names explicitly; a grant that names none opens none.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Inclusive.</summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>Exclusive: a grant ending exactly at the decision time no longer covers it.</summary>
    public DateTimeOffset End { get; init; }

    /// <summary>One of <see cref="GrantStatuses"/>.</summary>
    public string Status { get; init; } = "";
}

/// <summary>A memorandum of understanding between two or more agencies.</summary>
public sealed record Mou
{
    public string Id { get; init; } = "";

    /// <summary>One of <see cref="MouStatuses"/>; only <c>active</c> counts.</summary>
    public string Status { get; init; } = "";

    public IReadOnlyList<MouParty> Parties { get; init; } = [];

    public IReadOnlyList<string> Purposes { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Inclusive.</summary>
    public DateTimeOffset Effective { get; init; }

    /// <summary>Exclusive.</summary>
    public DateTimeOffset Expires { get; init; }

    /// <summary>Whether the parties agreed to emergency (break-glass) reads.</summary>
    public bool AllowsEmergencyAccess { get; init; }
}

/// <summary>A party to an MOU. The direction of sharing is per party.</summary>
public sealed record MouParty
{
    public string AgencyId { get; init; } = "";

    /// <summary>When this party signed; an MOU counts only once every party has signed.</summary>
    public DateTimeOffset? SignedAt { get; init; }

    /// <summary>Whether this party shares its records with the other parties; unset means yes.</summary>
    public bool? Discloses { get; init; }

    /// <summary>Whether this party receives the other parties' records; unset means yes.</summary>
    public bool? Receives { get; init; }
}

/// <summary>
/// A lawful basis other than consent: a 51A child-protection case (the one kind the platform records).
/// </summary>
public sealed record StatutoryBasis
{
    public string Id { get; init; } = "";

    /// <summary>One of <see cref="StatutoryBasisKinds"/>.</summary>
    public string Kind { get; init; } = "";

    public string SurvivorId { get; init; } = "";

    /// <summary>One of <see cref="StatutoryBasisStatuses"/>.</summary>
    public string Status { get; init; } = "";

    /// <summary>Inclusive.</summary>
    public DateTimeOffset OpenedAt { get; init; }

    /// <summary>Exclusive; a basis whose closing time has come no longer covers anything.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    public string? CaseNumber { get; init; }

    /// <summary>Agencies on the case, with their <see cref="CaseRoles"/>.</summary>
    public IReadOnlyList<CaseParticipant> Participants { get; init; } = [];
}

public sealed record CaseParticipant
{
    public string AgencyId { get; init; } = "";

    public string Role { get; init; } = "";
}

/// <summary>An agency or a person the survivor says must never see anything.</summary>
public sealed record DenyListEntry
{
    public string? AgencyId { get; init; }

    public string? UserId { get; init; }
}
