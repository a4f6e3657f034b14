using System.CommandLine.Parsing;

namespace Consent.Cli;

/// <summary>Parsers for URL options: only absolute http(s) URLs are accepted.</summary>
internal static class HttpUrls
{
    /// <summary>A service's base URL, always ending in '/' so relative paths resolve below it.</summary>
    public static Uri? ParseBaseUrl(ArgumentResult result) =>
        ParseAbsolute(result) is { } uri
            ? uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/")
            : null;

    /// <summary>An absolute URL taken exactly as given (redirect URIs are compared character for character).</summary>
    public static Uri? ParseAbsolute(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            result.AddError($"'{text}' is not an http(s) URL.");
            return null;
        }

        return uri;
    }
}
