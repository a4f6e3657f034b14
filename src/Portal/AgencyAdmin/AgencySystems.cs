using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consent.Portal.ConsentApi;
using Consent.Portal.SignIn;

namespace Consent.Portal.AgencyAdmin;

// The identity provider's answers about agency systems (src/Identity/Clients/AgencyClientRegistration.cs).

/// <summary>
/// A registered agency system: its client id, agency, name, SMART scopes and the ids of its public keys; its kind
/// (<c>agency-system</c>, or <c>consent-directory</c> with the purpose it reads for, which only platform admins see).
/// </summary>
public sealed record AgencySystem(string ClientId, string AgencyId, string DisplayName, IReadOnlyList<string> Scopes, IReadOnlyList<string> KeyIds,
    string Kind = "agency-system", string? PurposeOfUse = null)
{
    public bool IsConsentDirectory => Kind == "consent-directory";
}

/// <summary>The body of <c>POST /api/clients</c>: always a public key (private_key_jwt), never a secret.</summary>
public sealed record RegisterAgencySystem(string AgencyId, string? ClientId, string? DisplayName, JsonObject PublicJwk, IReadOnlyList<string> Scopes);

public sealed record ReplaceAgencySystemKey(JsonObject PublicJwk);

/// <summary>
/// The identity provider's admin API for agency systems (<c>/api/clients</c> on the provider), called with the
/// signed-in admin's access token: the provider accepts it from platform admins for every agency and from agency admins
/// for their own agency, and decides what a valid registration is. Keys are never logged; client ids are.
/// </summary>
public sealed partial class AgencySystems(HttpClient http, UserTokens tokens, ILogger<AgencySystems> logger)
{
    public Task<ApiAnswer<List<AgencySystem>>> ListAsync(CancellationToken cancellationToken) =>
        SendAsync<List<AgencySystem>>(HttpMethod.Get, "api/clients", null, cancellationToken);

    public async Task<ApiAnswer<AgencySystem>> RegisterAsync(RegisterAgencySystem registration, CancellationToken cancellationToken)
    {
        var answer = await SendAsync<AgencySystem>(HttpMethod.Post, "api/clients", registration, cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } system })
        {
            LogRegistered(logger, system.ClientId, system.AgencyId);
        }

        return answer;
    }

    public async Task<ApiAnswer<AgencySystem>> ReplaceKeyAsync(string clientId, ReplaceAgencySystemKey key, CancellationToken cancellationToken)
    {
        var answer = await SendAsync<AgencySystem>(HttpMethod.Put, $"api/clients/{Uri.EscapeDataString(clientId)}/keys", key, cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            LogKeyReplaced(logger, clientId);
        }

        return answer;
    }

    public async Task<ApiAnswer<object>> RemoveAsync(string clientId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync<object>(HttpMethod.Delete, $"api/clients/{Uri.EscapeDataString(clientId)}", null, cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            LogRemoved(logger, clientId);
        }

        return answer;
    }

    private async Task<ApiAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var accessToken = await tokens.GetAccessTokenAsync(cancellationToken);
        if (accessToken is null)
        {
            return ApiAnswer<T>.SignInAgain;
        }

        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ConsentApiClient.ApiJson);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized)
            {
                return ApiAnswer<T>.SignInAgain;
            }

            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                return new ApiAnswer<T>(ApiStatus.Refused, default, await ReadProblemAsync(response, cancellationToken));
            }

            if (!response.IsSuccessStatusCode)
            {
                LogProviderError(logger, method.Method, (int)response.StatusCode);
                return ApiAnswer<T>.Unavailable;
            }

            var value = response.StatusCode is HttpStatusCode.NoContent
                ? default
                : await response.Content.ReadFromJsonAsync<T>(ConsentApiClient.ApiJson, cancellationToken);
            return new ApiAnswer<T>(ApiStatus.Ok, value);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or NotSupportedException ||
                                          (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogProviderUnreachable(logger, method.Method, exception.GetType().Name);
            return ApiAnswer<T>.Unavailable;
        }
    }

    private static async Task<ApiProblem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemBody? problem = null;
        if (response.Content.Headers.ContentLength is not 0)
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync<ProblemBody>(ConsentApiClient.ApiJson, cancellationToken);
            }
            catch (Exception exception) when (exception is JsonException or NotSupportedException)
            {
                // Not a ProblemDetails body (a bare 404): the status alone says what happened.
            }
        }

        var type = problem?.Type is { Length: > 0 } uri ? uri[(uri.LastIndexOf('/') + 1)..] : null;
        return new ApiProblem((int)response.StatusCode, type,
            problem?.Errors ?? new Dictionary<string, string[]>(StringComparer.Ordinal), problem?.Title, problem?.Detail);
    }

    private sealed record ProblemBody(string? Type, string? Title, string? Detail, Dictionary<string, string[]>? Errors);

    [LoggerMessage(EventId = 3510, Level = LogLevel.Information, Message = "Agency system {ClientId} registered for {AgencyId}")]
    private static partial void LogRegistered(ILogger logger, string clientId, string agencyId);

    [LoggerMessage(EventId = 3511, Level = LogLevel.Information, Message = "Agency system {ClientId} has a new key")]
    private static partial void LogKeyReplaced(ILogger logger, string clientId);

    [LoggerMessage(EventId = 3512, Level = LogLevel.Information, Message = "Agency system {ClientId} removed")]
    private static partial void LogRemoved(ILogger logger, string clientId);

    [LoggerMessage(EventId = 3513, Level = LogLevel.Warning, Message = "Identity provider's client API ({Method}) answered {StatusCode}")]
    private static partial void LogProviderError(ILogger logger, string method, int statusCode);

    [LoggerMessage(EventId = 3514, Level = LogLevel.Warning, Message = "Identity provider's client API ({Method}) could not be reached: {Reason}")]
    private static partial void LogProviderUnreachable(ILogger logger, string method, string reason);
}
