namespace Consent.Portal.ConsentApi;

// The consent API's answers and request bodies for the case-manager pages, as the API writes and reads them
// (src/Consent.Api/Survivors, Consents, ConsentTexts, ConsentRequests, StatutoryBases, Agencies, Categories). Codes the
// API sends as kebab-case strings (how consent was given, statuses, roles) are kept as strings: the pages show them
// through their own words and send back only what the API offered.

/// <summary>Who decides for a minor: <c>guardian</c>, <c>custodial-agency</c> or <c>court</c>, a handle (never a name), how it was established.</summary>
public sealed record DecisionMakerView(string Kind, string Reference, string EstablishedBy, string? AgencyId);

/// <summary><c>GET /api/survivors</c> and <c>/api/survivors/{id}</c>.</summary>
public sealed record AdvocateSurvivorView(
    string Id, string EnrollingAgencyId, string PreferredLanguage, DateOnly? DateOfBirth, bool Minor, string? LeadCaseManager,
    DecisionMakerView? DecisionMaker, DateTimeOffset EnrolledAt);

/// <summary>The body of <c>POST /api/survivors</c>.</summary>
public sealed record EnrollSurvivorBody(string? PreferredLanguage, DateOnly? DateOfBirth);

/// <summary>The body of <c>PUT /api/survivors/{id}/decision-maker</c>; a kind the form did not offer is sent as null, for the API to refuse.</summary>
public sealed record DecisionMakerBody(string? Kind, string? Reference, string? EstablishedBy, string? AgencyId);

/// <summary>Which consent text a grant names.</summary>
public sealed record ConsentTextReference(string Id, string Version, string Language);

/// <summary>One grant of <c>GET /api/survivors/{id}/consents</c>.</summary>
public sealed record GrantView(
    Guid Id, string RecipientAgencyId, bool AllSources, IReadOnlyList<string> SourceAgencyIds, IReadOnlyList<string> Categories,
    IReadOnlyList<string> Purposes, DateTimeOffset Start, DateTimeOffset End, string Status, bool OverriddenByDenyList, string Method,
    ConsentTextReference Text, string DecidedBy, int Version, DateTimeOffset RecordedAt, Guid? RequestId);

/// <summary>The body of <c>POST /api/survivors/{id}/consents</c> as an advocate records it (witnessed paper or verbal).</summary>
public sealed record RecordConsentBody(
    string? RecipientAgencyId, List<string>? SourceAgencyIds, bool? AllSources, List<string>? Categories, List<string>? Purposes,
    DateTimeOffset? End, string? Method, string? ConsentTextId, string? ConsentTextVersion, string? Language);

/// <summary>One request of <c>GET /api/survivors/{id}/consent-requests</c>; <c>State</c> is <c>pending</c>, <c>approved</c> or <c>declined</c>.</summary>
public sealed record ConsentRequestEntry(
    Guid Id, string RequestingAgencyId, IReadOnlyList<string> Categories, string Purpose, string Reason, int RequestedDays,
    DateTimeOffset CreatedAt, string State, DateTimeOffset? DecidedAt, Guid? GrantId, string? DeclineReason);

/// <summary>The body of <c>POST .../consent-requests/{id}/approve</c>: the survivor, present, approves; the advocate records how.</summary>
public sealed record ApproveRequestBody(string? ConsentTextId, string? ConsentTextVersion, string? Language, string? Method, bool? AllSources);

/// <summary>The body of <c>POST .../consent-requests/{id}/decline</c>.</summary>
public sealed record DeclineRequestBody(string? Reason);

/// <summary>One involved agency as the report form sends it.</summary>
public sealed record InvolvedAgencyBody(string AgencyId, string Role);

/// <summary>The body of <c>POST /api/survivors/{id}/statutory-bases</c>.</summary>
public sealed record FileReportBody(string? ReporterRole, DateOnly? ReportDate, string? CaseNumber, List<InvolvedAgencyBody>? InvolvedAgencies);

/// <summary>The body of <c>POST .../statutory-bases/{id}/close</c>.</summary>
public sealed record CloseCaseBody(string? Reason);
