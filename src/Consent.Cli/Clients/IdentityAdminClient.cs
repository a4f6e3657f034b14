using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Consent.Cli.Clients;

/// <summary>
/// The identity provider's client registration API, called with an operator token obtained by
/// client_credentials. Every failure becomes a <see cref="CommandFailed"/> that says what to do.
/// </summary>
public sealed class IdentityAdminClient(HttpClient http, Uri identity, OperatorCredentials credentials)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string? accessToken;

    public async Task<AgencyClient> RegisterAsync(RegisterAgencyClient registration, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/clients", JsonContent.Create(registration, options: Json), cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest)
        {
            var problem = await ReadProblemAsync(response, cancellationToken);
            throw new CommandFailed(problem?.Title ?? "The registration was refused.", Describe(problem));
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync<AgencyClient>(response, cancellationToken);
    }

    public async Task<IReadOnlyList<AgencyClient>> ListAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/clients", null, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await ReadAsync<List<AgencyClient>>(response, cancellationToken);
    }

    /// <summary>False when no agency client has this id.</summary>
    public async Task<bool> RemoveAsync(string clientId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, "api/clients/" + Uri.EscapeDataString(clientId), null, cancellationToken);
        if (response.StatusCode is HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, cancellationToken);
        return true;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(cancellationToken);
        using var request = new HttpRequestMessage(method, new Uri(identity, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await SendOrExplainAsync(request, cancellationToken);
    }

    private async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (accessToken is not null)
        {
            return accessToken;
        }

        if (identity.Scheme != Uri.UriSchemeHttps && !identity.IsLoopback)
        {
            throw new CommandFailed($"Refusing to send the operator secret over plain HTTP to {identity.Host}; use an https:// identity URL.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(identity, "connect/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["scope"] = credentials.Scope,
                ["client_id"] = credentials.ClientId,
                ["client_secret"] = credentials.ClientSecret,
            }),
        };
        using var response = await SendOrExplainAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = await TryReadAsync<OAuthError>(response, cancellationToken);
            throw new CommandFailed(
                $"The identity provider refused the operator credentials of {credentials.ClientId} ({(int)response.StatusCode}).",
                error?.Error is null ? [] : [$"{error.Error}: {error.Description}"]);
        }

        var body = await TryReadAsync<JsonElement>(response, cancellationToken);
        accessToken = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("access_token", out var value) ? value.GetString() : null;
        return accessToken ?? throw new CommandFailed("The identity provider's token answer held no access token.");
    }

    private async Task<HttpResponseMessage> SendOrExplainAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new CommandFailed($"Cannot reach the identity provider at {identity}: {exception.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailed($"The identity provider at {identity} did not answer in time.");
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var problem = await ReadProblemAsync(response, cancellationToken);
        var reason = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => "The identity provider did not accept the operator token.",
            HttpStatusCode.Forbidden => "The operator client may not manage agency clients (it needs the platform/clients.manage scope).",
            _ => $"The identity provider answered {(int)response.StatusCode} {response.ReasonPhrase}.",
        };
        throw new CommandFailed(reason, Describe(problem));
    }

    private static List<string> Describe(Problem? problem)
    {
        var lines = new List<string>();
        if (problem is null)
        {
            return lines;
        }

        if (!string.IsNullOrWhiteSpace(problem.Detail))
        {
            lines.Add(problem.Detail);
        }

        foreach (var (field, messages) in problem.Errors ?? [])
        {
            lines.AddRange(messages.Select(message => $"{field}: {message}"));
        }

        return lines;
    }

    private static Task<Problem?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        TryReadAsync<Problem>(response, cancellationToken);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await TryReadAsync<T>(response, cancellationToken) ?? throw new CommandFailed("The identity provider's answer could not be read.");

    private static async Task<T?> TryReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            return default;
        }
    }
}
