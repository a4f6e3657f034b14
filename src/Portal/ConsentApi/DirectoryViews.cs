namespace Consent.Portal.ConsentApi;

// The consent API's shared answers that several areas of the portal read (src/Consent.Api: Agencies, Categories,
// ConsentTexts, StatutoryBases), defined once. Enums arrive as kebab-case strings and are kept as such; a field the API
// leaves out for a caller (a survivor is not shown a case number) reads as its default.

/// <summary>One agency of the directory (<c>GET /api/agencies</c>).</summary>
public sealed record AgencyEntry(string Id, string Name, string Type, string? Region, string? PointOfContact, bool Active);

/// <summary>
/// One data category (<c>GET /api/categories</c>): its code, the API's English name, and whether only a grant naming it
/// covers it (sensitive ones are offered apart and never ticked by default).
/// </summary>
public sealed record CategoryEntry(string Code, string Display, bool Sensitive);

/// <summary>One consent text in one language (<c>GET /api/consent-texts?language=</c>), what the person reads before confirming.</summary>
public sealed record ConsentTextEntry(string Id, string Version, string Language, bool Current, bool Part2, string Title, string Body,
    IReadOnlyList<string> Part2Elements);

/// <summary>An agency on a child-protection case and what it does there.</summary>
public sealed record InvolvedAgencyEntry(string AgencyId, string Role, bool OverriddenByDenyList);

/// <summary>
/// One child-protection (51A) case of <c>GET /api/survivors/{id}/statutory-bases</c>: while open, the agencies on it may
/// share the minor's records for the child's protection.
/// </summary>
public sealed record StatutoryBasisEntry(
    Guid Id, string Kind, string ReporterAgencyId, string ReporterRole, DateOnly ReportDate, string CaseNumber, string Purpose,
    IReadOnlyList<InvolvedAgencyEntry> InvolvedAgencies, DecisionMakerView? DecisionMaker, bool Open, DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt, string? CloseReason);
