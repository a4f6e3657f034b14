using Consent.Portal.ConsentApi;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// The consent API calls of the case-manager pages, made as the signed-in advocate. Survivor, grant, request and case
/// ids come from the API's own answers or the page's route and are escaped into the path: a typed id cannot reach
/// another route.
/// </summary>
internal static class AdvocateApiCalls
{
    public static Task<ApiAnswer<List<AdvocateSurvivorView>>> SurvivorsAsync(this ConsentApiClient api, CancellationToken ct) =>
        api.GetAsync<List<AdvocateSurvivorView>>("api/survivors", ct);

    public static Task<ApiAnswer<AdvocateSurvivorView>> SurvivorAsync(this ConsentApiClient api, string survivorId, CancellationToken ct) =>
        api.GetAsync<AdvocateSurvivorView>(Survivor(survivorId), ct);

    public static Task<ApiAnswer<AdvocateSurvivorView>> EnrollAsync(this ConsentApiClient api, EnrollSurvivorBody body, CancellationToken ct) =>
        api.SendAsync<AdvocateSurvivorView>(HttpMethod.Post, "api/survivors", body, ct);

    public static Task<ApiAnswer<AdvocateSurvivorView>> SetDecisionMakerAsync(
        this ConsentApiClient api, string survivorId, DecisionMakerBody body, CancellationToken ct) =>
        api.SendAsync<AdvocateSurvivorView>(HttpMethod.Put, Survivor(survivorId) + "/decision-maker", body, ct);

    public static Task<ApiAnswer<List<AgencyEntry>>> AgenciesAsync(this ConsentApiClient api, CancellationToken ct) =>
        api.GetAsync<List<AgencyEntry>>("api/agencies", ct);

    public static Task<ApiAnswer<List<CategoryEntry>>> CategoriesAsync(this ConsentApiClient api, CancellationToken ct) =>
        api.GetAsync<List<CategoryEntry>>("api/categories", ct);

    /// <summary>The current consent texts in the survivor's language: what the survivor is shown and the grant names.</summary>
    public static Task<ApiAnswer<List<ConsentTextEntry>>> ConsentTextsAsync(this ConsentApiClient api, string language, CancellationToken ct) =>
        api.GetAsync<List<ConsentTextEntry>>("api/consent-texts?language=" + Uri.EscapeDataString(language), ct);

    public static Task<ApiAnswer<List<GrantView>>> GrantsAsync(this ConsentApiClient api, string survivorId, CancellationToken ct) =>
        api.GetAsync<List<GrantView>>(Survivor(survivorId) + "/consents", ct);

    public static Task<ApiAnswer<GrantView>> RecordConsentAsync(this ConsentApiClient api, string survivorId, RecordConsentBody body, CancellationToken ct) =>
        api.SendAsync<GrantView>(HttpMethod.Post, Survivor(survivorId) + "/consents", body, ct);

    public static Task<ApiAnswer<List<ConsentRequestEntry>>> RequestsAsync(this ConsentApiClient api, string survivorId, CancellationToken ct) =>
        api.GetAsync<List<ConsentRequestEntry>>(Survivor(survivorId) + "/consent-requests", ct);

    public static Task<ApiAnswer<ConsentRequestEntry>> ApproveAsync(
        this ConsentApiClient api, string survivorId, Guid requestId, ApproveRequestBody body, CancellationToken ct) =>
        api.SendAsync<ConsentRequestEntry>(HttpMethod.Post, $"{Survivor(survivorId)}/consent-requests/{requestId:D}/approve", body, ct);

    public static Task<ApiAnswer<ConsentRequestEntry>> DeclineAsync(
        this ConsentApiClient api, string survivorId, Guid requestId, DeclineRequestBody body, CancellationToken ct) =>
        api.SendAsync<ConsentRequestEntry>(HttpMethod.Post, $"{Survivor(survivorId)}/consent-requests/{requestId:D}/decline", body, ct);

    public static Task<ApiAnswer<List<StatutoryBasisEntry>>> CasesAsync(this ConsentApiClient api, string survivorId, CancellationToken ct) =>
        api.GetAsync<List<StatutoryBasisEntry>>(Survivor(survivorId) + "/statutory-bases", ct);

    public static Task<ApiAnswer<StatutoryBasisEntry>> FileReportAsync(this ConsentApiClient api, string survivorId, FileReportBody body, CancellationToken ct) =>
        api.SendAsync<StatutoryBasisEntry>(HttpMethod.Post, Survivor(survivorId) + "/statutory-bases", body, ct);

    public static Task<ApiAnswer<StatutoryBasisEntry>> CloseCaseAsync(
        this ConsentApiClient api, string survivorId, Guid caseId, CloseCaseBody body, CancellationToken ct) =>
        api.SendAsync<StatutoryBasisEntry>(HttpMethod.Post, $"{Survivor(survivorId)}/statutory-bases/{caseId:D}/close", body, ct);

    private static string Survivor(string survivorId) => "api/survivors/" + Uri.EscapeDataString(survivorId);
}
