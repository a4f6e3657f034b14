using System.Net.Http.Headers;
using Consent.Portal.ConsentApi;

namespace Consent.Portal.AgencyAdmin;

/// <summary>
/// The MOU calls of the consent API, made as the signed-in agency admin. The API decides every lifecycle rule (who may
/// draft, sign or end an MOU, and when); refusals come back as <see cref="ApiStatus.Refused"/> with its problem.
/// </summary>
public sealed partial class AgencyMous(ConsentApiClient api, ILogger<AgencyMous> logger)
{
    public Task<ApiAnswer<List<Mou>>> ListAsync(CancellationToken cancellationToken) =>
        api.GetAsync<List<Mou>>("api/mous", cancellationToken);

    public Task<ApiAnswer<Mou>> GetAsync(Guid mouId, CancellationToken cancellationToken) =>
        api.GetAsync<Mou>($"api/mous/{mouId:D}", cancellationToken);

    public Task<ApiAnswer<List<DirectoryAgency>>> AgenciesAsync(CancellationToken cancellationToken) =>
        api.GetAsync<List<DirectoryAgency>>("api/agencies", cancellationToken);

    public Task<ApiAnswer<List<DataCategory>>> CategoriesAsync(CancellationToken cancellationToken) =>
        api.GetAsync<List<DataCategory>>("api/categories", cancellationToken);

    public async Task<ApiAnswer<Mou>> DraftAsync(DraftMou draft, CancellationToken cancellationToken)
    {
        var answer = await api.SendAsync<Mou>(HttpMethod.Post, "api/mous", draft, cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } mou })
        {
            LogDrafted(logger, mou.Id);
        }

        return answer;
    }

    /// <summary>Uploads the MOU's document (PDF, or any file as octet-stream); the API stores its SHA-256 with it.</summary>
    public async Task<ApiAnswer<Mou>> AttachDocumentAsync(Guid mouId, byte[] content, bool isPdf, CancellationToken cancellationToken)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(isPdf ? "application/pdf" : "application/octet-stream");
        var answer = await api.SendContentAsync<Mou>(HttpMethod.Put, $"api/mous/{mouId:D}/document", body, cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            LogDocumentAttached(logger, mouId);
        }

        return answer;
    }

    public Task<ApiAnswer<ApiDownload>> DocumentAsync(Guid mouId, CancellationToken cancellationToken) =>
        api.DownloadAsync($"api/mous/{mouId:D}/document", cancellationToken);

    public Task<ApiAnswer<Mou>> SubmitAsync(Guid mouId, CancellationToken cancellationToken) =>
        Logged(api.SendAsync<Mou>(HttpMethod.Post, $"api/mous/{mouId:D}/submit", body: null, cancellationToken), mouId, "submitted");

    public Task<ApiAnswer<Mou>> SignAsync(Guid mouId, string? documentSha256, CancellationToken cancellationToken) =>
        Logged(api.SendAsync<Mou>(HttpMethod.Post, $"api/mous/{mouId:D}/sign", new SignMou(documentSha256), cancellationToken), mouId, "signed");

    public Task<ApiAnswer<Mou>> TerminateAsync(Guid mouId, string? reason, CancellationToken cancellationToken) =>
        Logged(api.SendAsync<Mou>(HttpMethod.Post, $"api/mous/{mouId:D}/terminate", new TerminateMou(reason), cancellationToken), mouId, "terminated");

    private async Task<ApiAnswer<Mou>> Logged(Task<ApiAnswer<Mou>> call, Guid mouId, string step)
    {
        var answer = await call;
        if (answer.Status is ApiStatus.Ok)
        {
            LogStep(logger, mouId, step);
        }

        return answer;
    }

    [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "MOU {MouId} drafted from the agency pages")]
    private static partial void LogDrafted(ILogger logger, Guid mouId);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "MOU {MouId} document uploaded from the agency pages")]
    private static partial void LogDocumentAttached(ILogger logger, Guid mouId);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "MOU {MouId} {Step} from the agency pages")]
    private static partial void LogStep(ILogger logger, Guid mouId, string step);
}
