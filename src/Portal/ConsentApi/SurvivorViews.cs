using System.Security.Claims;
using Consent.Portal.SignIn;

namespace Consent.Portal.ConsentApi;

// The consent API's answers for a survivor's own pages, as it writes them (src/Consent.Api: Agencies, Categories,
// ConsentTexts, Consents, ConsentRequests, DenyList, StatutoryBases, Compliance/Accounting). Only the fields the
// pages show are read; enums arrive as kebab-case strings and are kept as such.

public sealed record ConsentTextName(string Id, string Version, string Language);

/// <summary>A consent grant with its status now (<c>active</c>, <c>pending</c>, <c>revoked</c>, <c>expired</c>).</summary>
public sealed record GrantEntry(
    Guid Id,
    string RecipientAgencyId,
    bool AllSources,
    IReadOnlyList<string> SourceAgencyIds,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Purposes,
    DateTimeOffset Start,
    DateTimeOffset End,
    string Status,
    bool OverriddenByDenyList,
    string Method,
    ConsentTextName Text,
    Guid? RequestId)
{
    /// <summary>Still lets the agency see something, or will from its start.</summary>
    public bool InForce => Status is "active" or "pending";
}

/// <summary>The body of <c>POST /api/survivors/{id}/consents</c>. An empty end asks for the purposes' default length.</summary>
/// <summary><c>POST /api/survivors/{id}/sharing-preview</c>: an agency, a purpose and the grant being drafted.</summary>
public sealed record SharingPreviewBody(string RecipientAgencyId, string Purpose, PreviewGrantBody Grant);

public sealed record PreviewGrantBody(IReadOnlyList<string> Categories, IReadOnlyList<string>? SourceAgencyIds);

/// <summary>What the agency would receive now, counted per source agency and data category, and how many records it would not.</summary>
public sealed record SharingPreviewEntry(List<PreviewedRecordsEntry> Shared, int Withheld);

public sealed record PreviewedRecordsEntry(string SourceAgencyId, string? Category, int Records);

public sealed record GrantBody(
    string? RecipientAgencyId,
    IReadOnlyList<string>? SourceAgencyIds,
    bool AllSources,
    IReadOnlyList<string>? Categories,
    IReadOnlyList<string>? Purposes,
    DateTimeOffset? End,
    string? ConsentTextId,
    string? ConsentTextVersion,
    string Language);

/// <summary>An agency's request for access (<c>pending</c>, <c>approved</c>, <c>declined</c>).</summary>
public sealed record RequestEntry(
    Guid Id, string RequestingAgencyId, IReadOnlyList<string> Categories, string Purpose, string Reason, int RequestedDays,
    DateTimeOffset CreatedAt, string State, DateTimeOffset? DecidedAt, Guid? GrantId);

public sealed record ApproveBody(string? ConsentTextId, string? ConsentTextVersion, string Language);

public sealed record DeclineBody(string? Reason);

/// <summary>An agency or a member of staff on the survivor's deny list.</summary>
public sealed record DenyEntry(Guid Id, string? AgencyId, string? StaffUserId, string? Reason, DateTimeOffset AddedAt);

public sealed record DenyBody(string? AgencyId, string? StaffUserId, string? Reason);

/// <summary>The survivor's accounting of disclosures, written by the API in the survivor's language.</summary>
public sealed record AccountingEntry(
    string Language, DateOnly From, DateOnly To, string Title, string Intro, string? Empty, bool Truncated, string? TruncatedNote,
    IReadOnlyList<AccountedDisclosureEntry> Items);

public sealed record AccountedDisclosureEntry(
    long Sequence, DateTimeOffset At, AccountedRecipientEntry Recipient, IReadOnlyList<string> What, int RecordCount,
    AccountedPurposeEntry Purpose, IReadOnlyList<AccountedBasisEntry> Basis, bool BreakGlass, bool ChildProtectionReport,
    IReadOnlyList<string> Notes);

public sealed record AccountedRecipientEntry(string Id, string Name, string? TypeDisplay, string? Region, string? Contact);

public sealed record AccountedPurposeEntry(string Code, string Display);

public sealed record AccountedBasisEntry(string Kind, string Id, string Label);

/// <summary>
/// The calls of the survivor's own pages. The survivor is always the signed-in person: their id comes from the session
/// (the provider's <c>survivor_id</c> claim) or, failing that, from the API's <c>/api/me</c>; never from the page's URL
/// or a form.
/// </summary>
public sealed class SurvivorApi(ConsentApiClient api, ClaimsPrincipal user)
{
    private string? survivorId = user.FindFirst(PortalClaims.SurvivorId)?.Value is { Length: > 0 } id ? id : null;

    /// <summary>The API's languages for texts; anything else asks for English.</summary>
    public static string Language(string culture) => culture switch
    {
        "es" or "ko" => culture,
        _ => "en",
    };

    public Task<ApiAnswer<List<AgencyEntry>>> AgenciesAsync(CancellationToken ct) => api.GetAsync<List<AgencyEntry>>("api/agencies", ct);

    public Task<ApiAnswer<List<CategoryEntry>>> CategoriesAsync(CancellationToken ct) => api.GetAsync<List<CategoryEntry>>("api/categories", ct);

    public Task<ApiAnswer<List<ConsentTextEntry>>> ConsentTextsAsync(string language, CancellationToken ct) =>
        api.GetAsync<List<ConsentTextEntry>>($"api/consent-texts?language={Uri.EscapeDataString(language)}", ct);

    public Task<ApiAnswer<List<GrantEntry>>> GrantsAsync(CancellationToken ct) => OwnAsync<List<GrantEntry>>(HttpMethod.Get, "consents", null, ct);

    public Task<ApiAnswer<GrantEntry>> GrantAsync(GrantBody body, CancellationToken ct) => OwnAsync<GrantEntry>(HttpMethod.Post, "consents", body, ct);

    public Task<ApiAnswer<SharingPreviewEntry>> SharingPreviewAsync(SharingPreviewBody body, CancellationToken ct) =>
        OwnAsync<SharingPreviewEntry>(HttpMethod.Post, "sharing-preview", body, ct);

    public Task<ApiAnswer<GrantEntry>> RevokeAsync(Guid grantId, CancellationToken ct) =>
        OwnAsync<GrantEntry>(HttpMethod.Post, $"consents/{grantId:D}/revoke", null, ct);

    public Task<ApiAnswer<List<StatutoryBasisEntry>>> StatutoryBasesAsync(CancellationToken ct) =>
        OwnAsync<List<StatutoryBasisEntry>>(HttpMethod.Get, "statutory-bases", null, ct);

    public Task<ApiAnswer<List<RequestEntry>>> RequestsAsync(CancellationToken ct) =>
        OwnAsync<List<RequestEntry>>(HttpMethod.Get, "consent-requests", null, ct);

    public Task<ApiAnswer<RequestEntry>> ApproveAsync(Guid requestId, ApproveBody body, CancellationToken ct) =>
        OwnAsync<RequestEntry>(HttpMethod.Post, $"consent-requests/{requestId:D}/approve", body, ct);

    public Task<ApiAnswer<RequestEntry>> DeclineAsync(Guid requestId, DeclineBody body, CancellationToken ct) =>
        OwnAsync<RequestEntry>(HttpMethod.Post, $"consent-requests/{requestId:D}/decline", body, ct);

    public Task<ApiAnswer<List<DenyEntry>>> DenyListAsync(CancellationToken ct) => OwnAsync<List<DenyEntry>>(HttpMethod.Get, "deny-list", null, ct);

    public Task<ApiAnswer<DenyEntry>> AddDenyAsync(DenyBody body, CancellationToken ct) => OwnAsync<DenyEntry>(HttpMethod.Post, "deny-list", body, ct);

    public Task<ApiAnswer<DenyEntry>> RemoveDenyAsync(Guid entryId, CancellationToken ct) =>
        OwnAsync<DenyEntry>(HttpMethod.Delete, $"deny-list/{entryId:D}", null, ct);

    public Task<ApiAnswer<AccountingEntry>> AccountingAsync(string language, CancellationToken ct) =>
        OwnAsync<AccountingEntry>(HttpMethod.Get, $"accounting?language={Uri.EscapeDataString(language)}", null, ct);

    /// <summary>A call under <c>/api/survivors/{the signed-in survivor}/</c>.</summary>
    private async Task<ApiAnswer<T>> OwnAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        if (survivorId is null)
        {
            var me = await api.GetMeAsync(ct);
            if (me.Status is not ApiStatus.Ok)
            {
                return new ApiAnswer<T>(me.Status is ApiStatus.SignInAgain ? ApiStatus.SignInAgain : ApiStatus.Unavailable, default, me.Problem);
            }

            survivorId = me.Value!.SurvivorId;
            if (survivorId is null)
            {
                return ApiAnswer<T>.SignInAgain;
            }
        }

        return await api.SendAsync<T>(method, $"api/survivors/{Uri.EscapeDataString(survivorId)}/{path}", body, ct);
    }
}
