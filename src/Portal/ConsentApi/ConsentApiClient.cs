using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

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
}

public sealed record ApiAnswer<T>(ApiStatus Status, T? Value)
{
    public static ApiAnswer<T> Unavailable { get; } = new(ApiStatus.Unavailable, default);

    public static ApiAnswer<T> SignInAgain { get; } = new(ApiStatus.SignInAgain, default);
}

/// <summary>Calls the consent API with the signed-in person's access token.</summary>
public sealed partial class ConsentApiClient(HttpClient http, ILogger<ConsentApiClient> logger)
{
    public Task<ApiAnswer<CallerView>> GetMeAsync(string accessToken, CancellationToken cancellationToken) =>
        GetAsync<CallerView>("api/me", accessToken, cancellationToken);

    private async Task<ApiAnswer<T>> GetAsync<T>(string path, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized)
            {
                return ApiAnswer<T>.SignInAgain;
            }

            if (!response.IsSuccessStatusCode)
            {
                LogApiError(logger, path, (int)response.StatusCode);
                return ApiAnswer<T>.Unavailable;
            }

            var value = await response.Content.ReadFromJsonAsync<T>(cancellationToken);
            return value is null ? ApiAnswer<T>.Unavailable : new ApiAnswer<T>(ApiStatus.Ok, value);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or NotSupportedException ||
                                          (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogApiUnreachable(logger, path, exception.GetType().Name);
            return ApiAnswer<T>.Unavailable;
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Consent API {Path} answered {StatusCode}")]
    private static partial void LogApiError(ILogger logger, string path, int statusCode);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Consent API {Path} could not be reached: {Reason}")]
    private static partial void LogApiUnreachable(ILogger logger, string path, string reason);
}
