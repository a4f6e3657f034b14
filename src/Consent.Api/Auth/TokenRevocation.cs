using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Consent.Api.Auth;

/// <summary>The provider could not say whether a token is still active (it is down or answered an error).</summary>
public sealed class RevocationUnknownException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Asks the identity provider's introspection endpoint (RFC 7662) whether an access token that passed local validation
/// is still active: the provider marks tokens revoked on <c>/connect/revoke</c>, on a reused authorization code and on
/// a replayed refresh token, and a signed JWT cannot say so by itself. Answers are remembered per token (by its hash)
/// for <see cref="TokenValidationOptions.RevocationCacheSeconds"/>, never past the token's own expiry; concurrent
/// requests with the same token share one call.
/// </summary>
public sealed class TokenRevocation(IHttpClientFactory http, IMemoryCache cache, IOptions<TokenValidationOptions> options)
{
    public const string HttpClientName = "introspection";

    private readonly SemaphoreSlim discovery = new(1, 1);
    private Uri? endpoint;

    public async Task<bool> IsActiveAsync(string token, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.RevocationCacheSeconds == 0)
        {
            return await IntrospectAsync(token, cancellationToken);
        }

        var key = (typeof(TokenRevocation), Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
        var answer = cache.GetOrCreate(key, entry =>
        {
            var until = DateTimeOffset.UtcNow.AddSeconds(settings.RevocationCacheSeconds);
            entry.AbsoluteExpiration = until < expires ? until : expires;
            // Not the request's token: a caller that gives up must not fail the others waiting on the same answer.
            return IntrospectAsync(token, CancellationToken.None);
        })!;
        try
        {
            return await answer.WaitAsync(cancellationToken);
        }
        catch (RevocationUnknownException)
        {
            cache.Remove(key);
            throw;
        }
    }

    private async Task<bool> IntrospectAsync(string token, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = http.CreateClient(HttpClientName);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, await EndpointAsync(client, cancellationToken))
            {
                Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "access_token")]),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(
                Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(settings.IntrospectionClientId)}:{Uri.EscapeDataString(settings.IntrospectionSecret!)}")));
            using var response = await client.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new RevocationUnknownException($"The provider's introspection endpoint answered {(int)response.StatusCode}.");
            }

            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return body.RootElement.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.True;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new RevocationUnknownException("The provider's introspection endpoint could not be reached.", e);
        }
    }

    /// <summary>The introspection endpoint named by the provider's discovery document, fetched once.</summary>
    private async Task<Uri> EndpointAsync(HttpClient client, CancellationToken cancellationToken)
    {
        if (endpoint is not null)
        {
            return endpoint;
        }

        await discovery.WaitAsync(cancellationToken);
        try
        {
            if (endpoint is null)
            {
                var document = new Uri(options.Value.Authority, ".well-known/openid-configuration");
                using var response = await client.GetAsync(document, cancellationToken);
                response.EnsureSuccessStatusCode();
                using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                endpoint = body.RootElement.TryGetProperty("introspection_endpoint", out var uri) && uri.GetString() is { } text
                    ? new Uri(text)
                    : throw new RevocationUnknownException("The provider's discovery document names no introspection endpoint.");
            }

            return endpoint;
        }
        finally
        {
            discovery.Release();
        }
    }
}
