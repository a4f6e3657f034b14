using System.Globalization;
using Consent.ServiceDefaults;
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
            var cultures = SatelliteCultures.Available(typeof(SharedStrings).Assembly, DefaultCulture).Select(name => new CultureInfo(name)).ToList();
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
}
