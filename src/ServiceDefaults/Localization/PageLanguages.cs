using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Consent.ServiceDefaults.Localization;

/// <summary>
/// The language of the pages of both web apps (the identity provider's and the portal's): English, Spanish, Korean and
/// any language whose resource file is added later. It is chosen by <c>?culture=</c>, then by what the app adds (the
/// provider: the authorization request's <c>ui_locales</c>), then by the app's language cookie, then by the browser's
/// Accept-Language. A language chosen by one of the first kinds is remembered in the cookie, which lives for the
/// browser session only and which the quick exit deletes: on a shared or watched device a lasting cookie would tell the
/// next person that the site was used, and in which language.
/// </summary>
public static class PageLanguages
{
    public const string DefaultCulture = "en";

    /// <param name="resources">The assembly whose satellite resource assemblies say which languages there are.</param>
    /// <param name="cookieName">The app's own language cookie.</param>
    /// <param name="alsoChosenBy">A way of choosing the language between the query string and the cookie, if any.</param>
    public static WebApplicationBuilder AddPageLanguages(this WebApplicationBuilder builder, Assembly resources, string cookieName,
        Func<RequestLocalizationOptions, IRequestCultureProvider>? alsoChosenBy = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddLocalization();
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = SatelliteCultures.Available(resources, DefaultCulture).Select(name => new CultureInfo(name)).ToList();
            options.DefaultRequestCulture = new RequestCulture(DefaultCulture);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            options.ApplyCurrentCultureToResponseHeaders = true;
            options.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { Options = options },
                .. alsoChosenBy is null ? Array.Empty<IRequestCultureProvider>() : [alsoChosenBy(options)],
                new CookieRequestCultureProvider { Options = options, CookieName = cookieName },
                new AcceptLanguageHeaderRequestCultureProvider { Options = options },
            ];
        });
        return builder;
    }

    /// <summary>Sets each request's culture, and remembers a language chosen for it (not one found in the cookie or the browser).</summary>
    public static WebApplication UsePageLanguages(this WebApplication app, string cookieName)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRequestLocalization();
        app.Use((context, next) =>
        {
            var feature = context.Features.Get<IRequestCultureFeature>();
            if (feature?.Provider is { } provider and not CookieRequestCultureProvider and not AcceptLanguageHeaderRequestCultureProvider)
            {
                context.Response.Cookies.Append(
                    cookieName,
                    CookieRequestCultureProvider.MakeCookieValue(feature.RequestCulture),
                    new CookieOptions
                    {
                        HttpOnly = true,
                        SameSite = SameSiteMode.Lax,
                        Secure = context.Request.IsHttps,
                        IsEssential = true,
                    });
            }

            return next(context);
        });
        return app;
    }

    /// <summary>The languages the layout offers.</summary>
    public static IReadOnlyList<CultureInfo> Offered(this IOptions<RequestLocalizationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Value.SupportedUICultures is { Count: > 0 } cultures ? [.. cultures] : [new CultureInfo(DefaultCulture)];
    }

    /// <summary>A language's own name for itself, capitalised as a menu item ("Español", "한국어").</summary>
    public static string NativeName(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        var name = culture.NativeName;
        return name.Length == 0 ? culture.Name : culture.TextInfo.ToUpper(name[0]) + name[1..];
    }

    /// <summary>As <see cref="NativeName(CultureInfo)"/> for a language code; the code itself when it names no known language.</summary>
    public static string NativeName(string code)
    {
        try
        {
            return NativeName(CultureInfo.GetCultureInfo(code, predefinedOnly: true));
        }
        catch (CultureNotFoundException)
        {
            return code;
        }
    }
}
