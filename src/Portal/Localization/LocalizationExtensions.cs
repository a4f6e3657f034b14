using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;

namespace Consent.Portal.Localization;

internal static class LocalizationExtensions
{
    public const string DefaultCulture = "en";

    /// <summary>English, Spanish and Korean, and any language whose resource file is added later.</summary>
    public static WebApplicationBuilder AddPortalLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization();
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = AvailableCultures().Select(name => new CultureInfo(name)).ToList();
            options.DefaultRequestCulture = new RequestCulture(DefaultCulture);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            options.ApplyCurrentCultureToResponseHeaders = true;
        });
        return builder;
    }

    /// <summary>
    /// Culture from <c>?culture=</c>, then the language cookie, then the browser's Accept-Language. A language
    /// chosen in the query string is remembered in the cookie.
    /// </summary>
    public static WebApplication UsePortalLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        app.Use((context, next) =>
        {
            var feature = context.Features.Get<IRequestCultureFeature>();
            if (feature?.Provider is QueryStringRequestCultureProvider)
            {
                context.Response.Cookies.Append(
                    CookieRequestCultureProvider.DefaultCookieName,
                    CookieRequestCultureProvider.MakeCookieValue(feature.RequestCulture),
                    new CookieOptions
                    {
                        HttpOnly = true,
                        SameSite = SameSiteMode.Lax,
                        Secure = context.Request.IsHttps,
                        IsEssential = true,
                        MaxAge = TimeSpan.FromDays(365),
                    });
            }

            return next(context);
        });
        return app;
    }

    /// <summary>The languages the layout offers, each named in its own language.</summary>
    public static IReadOnlyList<CultureInfo> Offered(this IOptions<RequestLocalizationOptions> options) =>
        options.Value.SupportedUICultures is { Count: > 0 } cultures ? [.. cultures] : [new CultureInfo(DefaultCulture)];

    /// <summary>The default language plus every language with a satellite resource assembly beside the app.</summary>
    private static IEnumerable<string> AvailableCultures()
    {
        yield return DefaultCulture;
        var assembly = typeof(SharedStrings).Assembly;
        var directory = Path.GetDirectoryName(assembly.Location);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            yield break;
        }

        var satellite = assembly.GetName().Name + ".resources.dll";
        foreach (var candidate in Directory.EnumerateDirectories(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (candidate is null || candidate == DefaultCulture || !File.Exists(Path.Combine(directory, candidate, satellite)))
            {
                continue;
            }

            CultureInfo culture;
            try
            {
                culture = CultureInfo.GetCultureInfo(candidate, predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                continue;
            }

            yield return culture.Name;
        }
    }
}
