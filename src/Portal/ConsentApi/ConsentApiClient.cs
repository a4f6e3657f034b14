using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Consent.Portal.SignIn;

namespace Consent.Portal.ConsentApi;

/// <summary>The signed-in person as the consent API sees them (from the access token the portal sent).</summary>
public sealed record CallerView(
    string Subject,
    string? ClientId,
    string? AgencyId,
    string? SurvivorId,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Scopes);

public enum ApiStatus
{
    Ok,

    /// <summary>The API refused the token: the session must be renewed by signing in again.</summary>
    SignInAgain,

    /// <summary>The API could not be reached or answered with an error.</summary>
    Unavailable,

    /// <summary>The API refused the request as sent (a validation problem, a conflict, a record it does not know).</summary>
    Refused,
}

/// <summary>
/// A ProblemDetails answer from the API: its catalogued type (the last segment, such as <c>invalid-request</c>) and the
/// fields it named, each with the API's messages.
/// </summary>
public sealed record ApiProblem(int Status, string? Type, IReadOnlyDictionary<string, string[]> Errors, string? Title = null, string? Detail = null)
{
    public bool HasErrorFor(string field) => Errors.ContainsKey(field);
}

public sealed record ApiAnswer<T>(ApiStatus Status, T? Value, ApiProblem? Problem = null)
{
    /// <summary>
    /// What a page answers when the call did not succeed: the API's own status for a refusal (so a refused form says
    /// 400, 404, 409 or 422 as the API did), 200 for the page that asks the person to sign in again, 503 otherwise.
    /// </summary>
    public int FailureStatusCode => Status switch
    {
        ApiStatus.Refused => Problem!.Status,
        ApiStatus.SignInAgain => StatusCodes.Status200OK,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    public static ApiAnswer<T> Unavailable { get; } = new(ApiStatus.Unavailable, default);

    public static ApiAnswer<T> SignInAgain { get; } = new(ApiStatus.SignInAgain, default);
}

/// <summary>A file the API answered (an export), passed on to the browser as it came.</summary>
public sealed record ApiDownload(byte[] Content, string ContentType, string? FileName);

/// <summary>
/// Calls the consent API as the signed-in person: each call takes the person's access token from the session (renewed
/// when about to expire). Feature pages build their own small clients on <see cref="GetAsync{T}"/>,
/// <see cref="SendAsync{T}(HttpMethod, string, object?, CancellationToken)"/> and <see cref="DownloadAsync"/>; the API
/// decides what the person may see, the portal only shows its answers.
/// </summary>
public sealed partial class ConsentApiClient(HttpClient http, UserTokens tokens, ILogger<ConsentApiClient> logger)
{
    public Task<ApiAnswer<CallerView>> GetMeAsync(CancellationToken cancellationToken) =>
        GetAsync<CallerView>("api/me", cancellationToken);

    /// <summary>The compliance dashboard (compliance officers only).</summary>
    public Task<ApiAnswer<ComplianceDashboard>> GetComplianceDashboardAsync(CancellationToken cancellationToken) =>
        GetAsync<ComplianceDashboard>("api/compliance/dashboard", cancellationToken);

    /// <summary>Break-glass records waiting for review, oldest first.</summary>
    public Task<ApiAnswer<List<BreakGlassRecord>>> GetBreakGlassQueueAsync(CancellationToken cancellationToken) =>
        GetAsync<List<BreakGlassRecord>>("api/break-glass?needsReview=true", cancellationToken);

    /// <summary>
    /// Records a compliance officer's review. A refusal (400 with the fields at fault, 404 for an unknown record, 409 for
    /// one already reviewed) comes back as <see cref="ApiStatus.Refused"/> with the API's problem.
    /// </summary>
    public Task<ApiAnswer<BreakGlassRecord>> ReviewBreakGlassAsync(Guid recordId, BreakGlassReview review, CancellationToken cancellationToken) =>
        SendAsync<BreakGlassRecord>(HttpMethod.Post, $"api/break-glass/{recordId:D}/review", review, cancellationToken);

    /// <summary>A GET of the API (path relative to its base URL, query string included).</summary>
    public Task<ApiAnswer<T>> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Get, path, body: null, cancellationToken);

    /// <summary>A call with an optional JSON body. Answers without a body (204) come back as <see cref="ApiStatus.Ok"/> with a default value.</summary>
    public async Task<ApiAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ApiJson);
        }

        return await SendAsync<T>(request, cancellationToken);
    }

    /// <summary>A call with a body that is not JSON (an uploaded document), sent as given.</summary>
    public async Task<ApiAnswer<T>> SendContentAsync<T>(HttpMethod method, string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        return await SendAsync<T>(request, cancellationToken);
    }

    /// <summary>A file of the API (CSV, FHIR Bundle), as it came.</summary>
    public async Task<ApiAnswer<ApiDownload>> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        return await SendCoreAsync(request, async (response, token) => new ApiDownload(
            await response.Content.ReadAsByteArrayAsync(token),
            response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream",
            response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"')),
            cancellationToken);
    }

    private Task<ApiAnswer<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, async (response, token) =>
            response.StatusCode is HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0
                ? default
                : await response.Content.ReadFromJsonAsync<T>(ApiJson, token), cancellationToken, allowEmpty: true);

    private async Task<ApiAnswer<T>> SendCoreAsync<T>(
        HttpRequestMessage request, Func<HttpResponseMessage, CancellationToken, Task<T?>> read, CancellationToken cancellationToken,
        bool allowEmpty = false)
    {
        var path = request.RequestUri!.OriginalString;
        var accessToken = await tokens.GetAccessTokenAsync(cancellationToken);
        if (accessToken is null)
        {
            return ApiAnswer<T>.SignInAgain;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (request.Headers.Accept.Count == 0)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized)
            {
                return ApiAnswer<T>.SignInAgain;
            }

            // What the API refuses to this person (a field at fault, a record it does not show them, a conflict) is
            // theirs to see and correct; anything else is the service failing.
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or
                HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge)
            {
                return new ApiAnswer<T>(ApiStatus.Refused, default, await ReadProblemAsync(response, cancellationToken));
            }

            if (!response.IsSuccessStatusCode)
            {
                LogApiError(logger, PathOnly(path), (int)response.StatusCode);
                return ApiAnswer<T>.Unavailable;
            }

            var value = await read(response, cancellationToken);
            return value is null && !allowEmpty ? ApiAnswer<T>.Unavailable : new ApiAnswer<T>(ApiStatus.Ok, value);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or NotSupportedException ||
                                          (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogApiUnreachable(logger, PathOnly(path), exception.GetType().Name);
            return ApiAnswer<T>.Unavailable;
        }
    }

    /// <summary>Logs name the route, never the query (which may hold search terms).</summary>
    private static string PathOnly(string path) => path.Split('?', 2)[0];

    private static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemBody? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<ProblemBody>(ApiJson, cancellationToken);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            // Not a ProblemDetails body: the status alone says what happened.
        }

        var type = problem?.Type is { Length: > 0 } uri ? uri[(uri.LastIndexOf('/') + 1)..] : null;
        return new ApiProblem((int)response.StatusCode, type,
            problem?.Errors ?? new Dictionary<string, string[]>(StringComparer.Ordinal), problem?.Title, problem?.Detail);
    }

    /// <summary>The API's JSON: camelCase, enums as kebab-case strings (<c>not-justified</c>).</summary>
    public static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private sealed record ProblemBody(string? Type, string? Title, string? Detail, Dictionary<string, string[]>? Errors);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Consent API {Path} answered {StatusCode}")]
    private static partial void LogApiError(ILogger logger, string path, int statusCode);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Consent API {Path} could not be reached: {Reason}")]
    private static partial void LogApiUnreachable(ILogger logger, string path, string reason);
}
