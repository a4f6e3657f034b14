using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.WebUtilities;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Localization;

/// <summary>
/// The language a client asked for with the OpenID Connect <c>ui_locales</c> parameter (a space-separated list of
/// tags, in order of preference) of the authorization request the login page is serving: the challenge sends the
/// browser to the login page with that request, query included, as its <c>ReturnUrl</c>. The first tag that is a
/// supported language, or whose parent is one (<c>es-MX</c> is Spanish), wins. Only the login page reads it: the
/// pages after it keep the language through the culture cookie, so a language the person picked on the login page
/// is not overridden by the client's wish on the next page.
/// </summary>
internal sealed class UiLocalesRequestCultureProvider : RequestCultureProvider
{
    public const string LoginPath = "/account/login";

    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var request = httpContext.Request;
        if (!request.Path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase) ||
            request.Query["ReturnUrl"].ToString() is not { Length: > 0 } returnUrl)
        {
            return NullProviderCultureResult;
        }

        var query = returnUrl.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return NullProviderCultureResult;
        }

        if (!QueryHelpers.ParseQuery(returnUrl[query..]).TryGetValue(Parameters.UiLocales, out var value))
        {
            return NullProviderCultureResult;
        }

        var locales = value.ToString();
        var supported = Options?.SupportedUICultures ?? [];
        foreach (var tag in locales.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Match(tag, supported) is { } culture)
            {
                return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(culture));
            }
        }

        return NullProviderCultureResult;
    }

    /// <summary>The supported culture named by <paramref name="tag"/> or by one of its parents; null when none is.</summary>
    internal static string? Match(string tag, IList<CultureInfo> supported)
    {
        CultureInfo culture;
        try
        {
            culture = CultureInfo.GetCultureInfo(tag);
        }
        catch (CultureNotFoundException)
        {
            return null;
        }

        for (; !string.IsNullOrEmpty(culture.Name); culture = culture.Parent)
        {
            if (supported.Any(candidate => string.Equals(candidate.Name, culture.Name, StringComparison.OrdinalIgnoreCase)))
            {
                return culture.Name;
            }
        }

        return null;
    }
}
