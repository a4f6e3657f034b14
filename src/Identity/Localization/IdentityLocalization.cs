using System.Globalization;
using Consent.ServiceDefaults;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Options;

namespace Consent.Identity.Localization;

/// <summary>The identity pages in the person's language: English, Spanish, Korean and any language added later.</summary>
internal static class IdentityLocalization
{
    public const string DefaultCulture = "en";

    /// <summary>
    /// The provider's own language cookie. It lives for the browser session only: on a shared or watched device a
    /// lasting cookie would tell the next person which language someone signed in with.
    /// </summary>
    public const string CookieName = "consent.identity.culture";

    public static WebApplicationBuilder AddIdentityLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization();
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = SatelliteCultures.Available(typeof(IdentityStrings).Assembly, DefaultCulture).Select(name => new CultureInfo(name)).ToList();
            options.DefaultRequestCulture = new RequestCulture(DefaultCulture);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            options.ApplyCurrentCultureToResponseHeaders = true;
            options.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { Options = options },
                new UiLocalesRequestCultureProvider { Options = options },
                new CookieRequestCultureProvider { Options = options, CookieName = CookieName },
                new AcceptLanguageHeaderRequestCultureProvider { Options = options },
            ];
        });
        return builder;
    }

    /// <summary>
    /// Culture from <c>?culture=</c>, then the <c>ui_locales</c> of the authorization request the login page serves,
    /// then the language cookie, then Accept-Language. A language chosen by either of the first two is remembered in
    /// the cookie, so the code page that follows the login page keeps it.
    /// </summary>
    public static WebApplication UseIdentityLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        app.Use((context, next) =>
        {
            var feature = context.Features.Get<IRequestCultureFeature>();
            if (feature?.Provider is QueryStringRequestCultureProvider or UiLocalesRequestCultureProvider)
            {
                context.Response.Cookies.Append(
                    CookieName,
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

    /// <summary>The languages the layout offers, each named in its own language.</summary>
    public static IReadOnlyList<CultureInfo> Offered(this IOptions<RequestLocalizationOptions> options) =>
        options.Value.SupportedUICultures is { Count: > 0 } cultures ? [.. cultures] : [new CultureInfo(DefaultCulture)];

    /// <summary>A language's own name for itself, capitalised as a menu item ("Español", "한국어").</summary>
    public static string NativeName(CultureInfo culture)
    {
        var name = culture.NativeName;
        return name.Length == 0 ? culture.Name : culture.TextInfo.ToUpper(name[0]) + name[1..];
    }
}
