using Consent.ServiceDefaults.Localization;

namespace Consent.Identity.Localization;

/// <summary>
/// The identity pages in the person's language (<see cref="PageLanguages"/>), which the authorization request's
/// <c>ui_locales</c> may choose too, remembered in the provider's own language cookie so the code page that follows the
/// login page keeps it.
/// </summary>
internal static class IdentityLocalization
{
    /// <summary>The provider's own language cookie, for the browser session only (<see cref="PageLanguages"/>).</summary>
    public const string CookieName = "consent.identity.culture";

    public static WebApplicationBuilder AddIdentityLocalization(this WebApplicationBuilder builder) =>
        builder.AddPageLanguages(typeof(IdentityStrings).Assembly, CookieName, options => new UiLocalesRequestCultureProvider { Options = options });

    public static WebApplication UseIdentityLocalization(this WebApplication app) => app.UsePageLanguages(CookieName);
}
