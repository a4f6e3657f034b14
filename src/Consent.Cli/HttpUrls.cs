using System.CommandLine.Parsing;

namespace Consent.Cli;

/// <summary>Parsers for URL options: only absolute http(s) URLs are accepted.</summary>
internal static class HttpUrls
{
    public const string IdentityVariable = "IDENTITY_URL";
    public const string ApiVariable = "API_URL";

    /// <summary>A service's base URL, always ending in '/' so relative paths resolve below it.</summary>
    public static Uri? ParseBaseUrl(ArgumentResult result) => ParseAbsolute(result) is { } uri ? AsBase(uri) : null;

    /// <summary>
    /// The default of a base-URL option: the environment variable the scripts use (<c>IDENTITY_URL</c>,
    /// <c>API_URL</c>, as for ./run.sh and docs/examples), else the local default. A variable that is set but is not
    /// an http(s) URL is an error, not silently passed over.
    /// </summary>
    public static Func<ArgumentResult, Uri> DefaultFrom(string variable, string fallback) => result =>
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new Uri(fallback);
        }

        if (!TryHttp(text.Trim(), out var uri))
        {
            result.AddError($"{variable} '{text}' is not an http(s) URL.");
            return new Uri(fallback);
        }

        return AsBase(uri);
    };

    /// <summary>An absolute URL taken exactly as given (redirect URIs are compared character for character).</summary>
    public static Uri? ParseAbsolute(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!TryHttp(text, out var uri))
        {
            result.AddError($"'{text}' is not an http(s) URL.");
            return null;
        }

        return uri;
    }

    private static bool TryHttp(string text, out Uri uri) =>
        Uri.TryCreate(text, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static Uri AsBase(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
