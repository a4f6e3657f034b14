namespace Consent.Security.Tests;

/// <summary>How a route decides who may call it.</summary>
public enum Gate
{
    /// <summary>Any valid token; what it returns is filtered to the caller (lists, the directory, the caller itself).</summary>
    AnyToken,

    /// <summary>Under <c>/api/survivors/{survivorId}</c>: a survivor the caller may not see is answered exactly as a missing one.</summary>
    Survivor,

    /// <summary>One agency's record (MOU, break-glass record, consent request): another agency's is answered exactly as a missing one.</summary>
    AgencyRecord,

    /// <summary>Only the roles named may call it; every other role gets 403.</summary>
    Roles,

    /// <summary>One agency's directory entry: its own admins and platform admins edit it, everyone else gets 403.</summary>
    OwnAgency,
}

/// <summary>One /api route and what each role may do there.</summary>
public sealed record AccessRule(string Method, string Template, Gate Gate, params Role[] Allowed)
{
    public string Key => $"{Method} {Template}";

    /// <summary>Roles that read their own survivor (sv-1001, enrolled at harbor-house) here.</summary>
    public Role[] OwnSurvivorReaders { get; init; } = [];

    public override string ToString() => Key;
}

/// <summary>
/// The expectations table: every /api route of the OpenAPI document must be here, so a new route is classified
/// before it ships. Staff and agency systems in the matrix belong to harbor-house.
/// </summary>
public static class AccessRules
{
    private static readonly Role[] StaffAndSurvivor = [Role.Survivor, Role.Advocate, Role.Compliance];

    public static readonly AccessRule[] All =
    [
        // The caller, the vocabulary and the directory.
        new("GET", "/api/me", Gate.AnyToken),
        new("GET", "/api/categories", Gate.AnyToken),
        new("GET", "/api/vocabulary", Gate.AnyToken),
        new("GET", "/api/consent-texts", Gate.AnyToken),
        new("GET", "/api/consent-texts/{textId}/{version}", Gate.AnyToken),
        new("GET", "/api/agencies", Gate.AnyToken),
        new("GET", "/api/agencies/{agencyId}", Gate.AnyToken),
        new("POST", "/api/agencies", Gate.Roles, Role.PlatformAdmin),
        new("PUT", "/api/agencies/{agencyId}", Gate.OwnAgency, Role.AgencyAdmin, Role.PlatformAdmin),
        new("GET", "/api/agencies/{agencyId}/changes", Gate.Roles, Role.PlatformAdmin, Role.Compliance),

        // Survivors and everything filed under them.
        new("GET", "/api/survivors", Gate.AnyToken),
        new("POST", "/api/survivors", Gate.Roles, Role.Advocate) { },
        new("GET", "/api/survivors/{survivorId}", Gate.Survivor) { OwnSurvivorReaders = StaffAndSurvivor },
        new("PUT", "/api/survivors/{survivorId}", Gate.Survivor),
        new("PUT", "/api/survivors/{survivorId}/decision-maker", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/consents", Gate.Survivor) { OwnSurvivorReaders = StaffAndSurvivor },
        new("POST", "/api/survivors/{survivorId}/consents", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/consents/{consentId}", Gate.Survivor),
        new("PUT", "/api/survivors/{survivorId}/consents/{consentId}", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/consents/{consentId}/history", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/consents/{consentId}/fhir", Gate.Survivor),
        new("POST", "/api/survivors/{survivorId}/sharing-preview", Gate.Survivor),
        new("POST", "/api/survivors/{survivorId}/consents/{consentId}/revoke", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/deny-list", Gate.Survivor) { OwnSurvivorReaders = StaffAndSurvivor },
        new("POST", "/api/survivors/{survivorId}/deny-list", Gate.Survivor),
        new("DELETE", "/api/survivors/{survivorId}/deny-list/{entryId}", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/statutory-bases", Gate.Survivor) { OwnSurvivorReaders = [Role.Advocate, Role.Compliance] },
        new("POST", "/api/survivors/{survivorId}/statutory-bases", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/statutory-bases/{basisId}", Gate.Survivor),
        new("POST", "/api/survivors/{survivorId}/statutory-bases/{basisId}/close", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/consent-requests", Gate.Survivor) { OwnSurvivorReaders = [Role.Survivor] },
        new("POST", "/api/survivors/{survivorId}/consent-requests/{requestId}/approve", Gate.Survivor),
        new("POST", "/api/survivors/{survivorId}/consent-requests/{requestId}/decline", Gate.Survivor),
        new("GET", "/api/survivors/{survivorId}/accounting", Gate.Survivor) { OwnSurvivorReaders = [Role.Survivor, Role.Compliance] },
        new("GET", "/api/survivors/{survivorId}/accounting.txt", Gate.Survivor) { OwnSurvivorReaders = [Role.Survivor, Role.Compliance] },
        new("GET", "/api/survivors/{survivorId}/disclosures", Gate.Survivor) { OwnSurvivorReaders = [Role.Survivor, Role.Compliance] },

        // Agreements between agencies.
        new("GET", "/api/mous", Gate.AnyToken),
        new("POST", "/api/mous", Gate.Roles, Role.AgencyAdmin),
        new("GET", "/api/mous/{mouId}", Gate.AgencyRecord),
        new("PUT", "/api/mous/{mouId}", Gate.AgencyRecord),
        new("PUT", "/api/mous/{mouId}/document", Gate.AgencyRecord),
        new("GET", "/api/mous/{mouId}/document", Gate.AgencyRecord),
        new("POST", "/api/mous/{mouId}/submit", Gate.AgencyRecord),
        new("POST", "/api/mous/{mouId}/sign", Gate.AgencyRecord),
        new("POST", "/api/mous/{mouId}/terminate", Gate.AgencyRecord),

        // Requests, emergencies.
        new("POST", "/api/consent-requests", Gate.Roles, Role.Advocate, Role.AgencyAdmin, Role.AgencySystem),
        new("GET", "/api/consent-requests", Gate.AnyToken),
        new("GET", "/api/consent-requests/{requestId}", Gate.AgencyRecord),
        // Agency admins are staff of the agency: they may declare, and every declaration is queued for review.
        new("POST", "/api/break-glass", Gate.Roles, Role.Advocate, Role.AgencyAdmin, Role.AgencySystem),
        new("GET", "/api/break-glass", Gate.AnyToken),
        new("GET", "/api/break-glass/{recordId}", Gate.AgencyRecord),
        new("POST", "/api/break-glass/{recordId}/review", Gate.Roles, Role.Compliance),

        // Oversight: compliance officers only.
        new("GET", "/api/disclosures", Gate.Roles, Role.Compliance),
        new("GET", "/api/compliance/dashboard", Gate.Roles, Role.Compliance),
        new("GET", "/api/compliance/exports/disclosures.csv", Gate.Roles, Role.Compliance),
        new("GET", "/api/compliance/exports/audit-events", Gate.Roles, Role.Compliance),
        new("GET", "/api/compliance/anomalies", Gate.Roles, Role.Compliance),
        new("GET", "/api/compliance/statistics", Gate.Roles, Role.Compliance),
        new("GET", "/api/compliance/statistics.csv", Gate.Roles, Role.Compliance),

        // The log's tree: heads and proofs are public to any token holder; entries and signing are for compliance.
        new("GET", "/api/log/tree-head", Gate.AnyToken),
        new("GET", "/api/log/tree-heads", Gate.AnyToken),
        new("POST", "/api/log/tree-heads", Gate.Roles, Role.Compliance),
        new("GET", "/api/log/proofs/inclusion", Gate.AnyToken),
        new("GET", "/api/log/proofs/consistency", Gate.AnyToken),
        new("GET", "/api/log/entries/{sequence}", Gate.Roles, Role.Compliance),
        new("POST", "/api/log/verify", Gate.Roles, Role.Compliance),
    ];

    public static AccessRule Find(string key) => All.Single(r => r.Key == key);

    /// <summary>Roles that hold a token (everyone but <see cref="Role.NoToken"/>).</summary>
    public static readonly Role[] Signed = [Role.Survivor, Role.Advocate, Role.Compliance, Role.AgencyAdmin, Role.PlatformAdmin, Role.AgencySystem];

    /// <summary>Callers that have no relationship with the hidden survivor and are not compliance officers.</summary>
    public static readonly Role[] Strangers = [Role.Survivor, Role.Advocate, Role.AgencyAdmin, Role.AgencySystem];
}
