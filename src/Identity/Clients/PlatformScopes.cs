namespace Consent.Identity.Clients;

/// <summary>
/// Scopes the provider knows. Agency systems use SMART v2 system scopes (<c>system/Resource.rs</c> reads
/// and searches, <c>system/*.cruds</c> also writes their own records); organizations are read-only.
/// </summary>
public static class PlatformScopes
{
    /// <summary>The resource server that accepts agency and portal tokens.</summary>
    public const string ConsentApi = "consent-api";

    /// <summary>The provider's own administration API (client registration).</summary>
    public const string IdentityAdmin = "identity-admin";

    /// <summary>Lets a platform operator's client register and remove agency clients.</summary>
    public const string ManageClients = "platform/clients.manage";

    public static readonly IReadOnlyList<string> FhirResourceTypes =
    [
        "Patient", "EpisodeOfCare", "CarePlan", "Goal", "Task", "ServiceRequest", "Condition", "Observation",
        "Encounter", "MedicationStatement", "AllergyIntolerance", "DocumentReference", "Consent",
    ];

    /// <summary>The platform's agencies as FHIR Organizations: read and searched, never written by a system.</summary>
    public const string OrganizationRead = "system/Organization.rs";

    /// <summary>Every SMART v2 system scope an agency client may be registered for.</summary>
    public static readonly IReadOnlyList<string> Smart =
    [
        "system/*.rs", "system/*.cruds",
        .. FhirResourceTypes.Select(type => $"system/{type}.rs"),
        .. FhirResourceTypes.Select(type => $"system/{type}.cruds"),
        OrganizationRead,
    ];

    /// <summary>
    /// What a consent directory may be registered for, and gets when its registration names no scopes: survivors'
    /// Patient (looked up by identifier) and Consent resources, and the agencies they name.
    /// </summary>
    public static readonly IReadOnlyList<string> ConsentDirectory = ["system/Patient.rs", "system/Consent.rs", OrganizationRead];

    /// <summary>What an agency client gets when its registration names no scopes.</summary>
    public static readonly IReadOnlyList<string> AgencyDefault = ["system/*.rs", "system/*.cruds"];

    /// <summary>Scopes the survivor portal asks for on behalf of a signed-in user.</summary>
    public static readonly IReadOnlyList<string> Portal = ["openid", "profile", "roles", "offline_access", ConsentApi];
}
