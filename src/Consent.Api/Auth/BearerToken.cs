namespace Consent.Api.Auth;

/// <summary>The access token of a request: from its Authorization header only (the one place the API takes it from).</summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    public static string? From(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header[Scheme.Length..].Trim() is { Length: > 0 } token ? token : null;
    }
}
