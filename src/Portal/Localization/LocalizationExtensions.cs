using Consent.ServiceDefaults.Localization;

namespace Consent.Portal.Localization;

/// <summary>The portal's pages in the person's language (<see cref="PageLanguages"/>), chosen by <c>?culture=</c> or the browser.</summary>
internal static class LocalizationExtensions
{
    /// <summary>The portal's own language cookie, for the browser session only; the quick exit deletes it.</summary>
    public const string CookieName = "consent.portal.culture";

    public static WebApplicationBuilder AddPortalLocalization(this WebApplicationBuilder builder) =>
        builder.AddPageLanguages(typeof(SharedStrings).Assembly, CookieName);

    public static WebApplication UsePortalLocalization(this WebApplication app) => app.UsePageLanguages(CookieName);
}
