namespace Consent.Portal.AgencyAdmin;

// The consent API's MOU and directory answers, as it writes them (src/Consent.Api/Mous/MouService.cs,
// src/Consent.Api/Agencies/AgencyService.cs, src/Consent.Api/Categories/CategoriesApi.cs). Only the fields the
// agency pages show are read.

/// <summary>Where an MOU is in its life, as the API computes it now.</summary>
public enum MouStatus
{
    Draft,
    PendingSignature,

    /// <summary>Signed by every party, waiting for its effective date.</summary>
    Signed,
    Active,
    Expired,
    Terminated,
}

public sealed record MouParty(string AgencyId, DateTimeOffset? SignedAt, string? SignedDocumentSha256)
{
    public bool HasSigned => SignedAt is not null;
}

/// <summary>One direction of sharing: the source agency may share with the recipient.</summary>
public sealed record MouFlow(string SourceAgencyId, string RecipientAgencyId);

public sealed record Mou(
    Guid Id,
    string Title,
    MouStatus Status,
    IReadOnlyList<MouParty> Parties,
    IReadOnlyList<MouFlow> Flows,
    IReadOnlyList<string> Purposes,
    IReadOnlyList<string> Categories,
    DateTimeOffset EffectiveFrom,
    DateTimeOffset ExpiresAt,
    bool AllowsEmergencyAccess,
    string? DocumentSha256,
    string? DocumentContentType,
    long? DocumentLength,
    string CreatedByAgencyId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? TerminatedAt,
    string? TerminatedByAgencyId,
    string? TerminationReason)
{
    public MouParty? PartyFor(string? agencyId) => Parties.FirstOrDefault(party => party.AgencyId == agencyId);
}

/// <summary>The body of <c>POST /api/mous</c>. Without flows, every party may share with every other.</summary>
public sealed record DraftMou(
    string? Title,
    IReadOnlyList<string> PartyAgencyIds,
    IReadOnlyList<MouFlow>? Flows,
    IReadOnlyList<string> Purposes,
    IReadOnlyList<string> Categories,
    DateTimeOffset? EffectiveFrom,
    DateTimeOffset? ExpiresAt,
    bool AllowsEmergencyAccess);

/// <summary>The body of <c>POST /api/mous/{id}/sign</c>: the document the signer was shown, by its SHA-256.</summary>
public sealed record SignMou(string? DocumentSha256);

public sealed record TerminateMou(string? Reason);

/// <summary>An agency of the directory (<c>GET /api/agencies</c>).</summary>
public sealed record DirectoryAgency(string Id, string Name, string Type, bool Active);

/// <summary>A data category (<c>GET /api/categories</c>): its code, English name, and whether it is sensitive.</summary>
public sealed record DataCategory(string Code, string Display, bool Sensitive);
