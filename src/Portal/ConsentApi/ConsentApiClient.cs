using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

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
public sealed record ApiProblem(int Status, string? Type, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool HasErrorFor(string field) => Errors.ContainsKey(field);
}

public sealed record ApiAnswer<T>(ApiStatus Status, T? Value, ApiProblem? Problem = null)
{
    public static ApiAnswer<T> Unavailable { get; } = new(ApiStatus.Unavailable, default);

    public static ApiAnswer<T> SignInAgain { get; } = new(ApiStatus.SignInAgain, default);
}

/// <summary>Calls the consent API with the signed-in person's access token.</summary>
public sealed partial class ConsentApiClient(HttpClient http, ILogger<ConsentApiClient> logger)
{
    public Task<ApiAnswer<CallerView>> GetMeAsync(string accessToken, CancellationToken cancellationToken) =>
        GetAsync<CallerView>("api/me", accessToken, cancellationToken);

    /// <summary>The compliance dashboard (compliance officers only).</summary>
    public Task<ApiAnswer<ComplianceDashboard>> GetComplianceDashboardAsync(string accessToken, CancellationToken cancellationToken) =>
        GetAsync<ComplianceDashboard>("api/compliance/dashboard", accessToken, cancellationToken);

    /// <summary>Break-glass records waiting for review, oldest first.</summary>
    public Task<ApiAnswer<List<BreakGlassRecord>>> GetBreakGlassQueueAsync(string accessToken, CancellationToken cancellationToken) =>
        GetAsync<List<BreakGlassRecord>>("api/break-glass?needsReview=true", accessToken, cancellationToken);

    /// <summary>
    /// Records a compliance officer's review. A refusal (400 with the fields at fault, 404 for an unknown record, 409 for
    /// one already reviewed) comes back as <see cref="ApiStatus.Refused"/> with the API's problem.
    /// </summary>
    public async Task<ApiAnswer<BreakGlassRecord>> ReviewBreakGlassAsync(
        string accessToken, Guid recordId, BreakGlassReview review, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/break-glass/{recordId:D}/review")
        {
            Content = JsonContent.Create(review, options: ApiJson),
        };
        return await SendAsync<BreakGlassRecord>(request, accessToken, cancellationToken);
    }

    private async Task<ApiAnswer<T>> GetAsync<T>(string path, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync<T>(request, accessToken, cancellationToken);
    }

    private async Task<ApiAnswer<T>> SendAsync<T>(HttpRequestMessage request, string accessToken, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.OriginalString;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized)
            {
                return ApiAnswer<T>.SignInAgain;
            }

            if (request.Method != HttpMethod.Get &&
                response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                return new ApiAnswer<T>(ApiStatus.Refused, default, await ReadProblemAsync(response, cancellationToken));
            }

            if (!response.IsSuccessStatusCode)
            {
                LogApiError(logger, path, (int)response.StatusCode);
                return ApiAnswer<T>.Unavailable;
            }

            var value = await response.Content.ReadFromJsonAsync<T>(ApiJson, cancellationToken);
            return value is null ? ApiAnswer<T>.Unavailable : new ApiAnswer<T>(ApiStatus.Ok, value);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or NotSupportedException ||
                                          (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogApiUnreachable(logger, path, exception.GetType().Name);
            return ApiAnswer<T>.Unavailable;
        }
    }

    private static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(ApiJson, cancellationToken);
        var type = problem?.Type is { Length: > 0 } uri ? uri[(uri.LastIndexOf('/') + 1)..] : null;
        return new ApiProblem((int)response.StatusCode, type,
            problem?.Errors ?? new Dictionary<string, string[]>(StringComparer.Ordinal));
    }

    /// <summary>The API's JSON: camelCase, enums as kebab-case strings (<c>not-justified</c>).</summary>
    private static readonly JsonSerializerOptions ApiJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private sealed record ProblemBody(string? Type, Dictionary<string, string[]>? Errors);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Consent API {Path} answered {StatusCode}")]
    private static partial void LogApiError(ILogger logger, string path, int statusCode);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Consent API {Path} could not be reached: {Reason}")]
    private static partial void LogApiUnreachable(ILogger logger, string path, string reason);
}
