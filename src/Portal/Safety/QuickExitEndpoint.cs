using Consent.Portal.Localization;
using Consent.Portal.SignIn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using static OpenIddict.Client.AspNetCore.OpenIddictClientAspNetCoreConstants;

namespace Consent.Portal.Safety;

/// <summary>
/// The quick exit: ends the portal session at once, revokes its refresh token, deletes the language cookie, and sends
/// the browser through the provider's own exit (which ends the provider's session) to the neutral site. A GET on
/// purpose, so that a plain link works without JavaScript; all it can do is sign someone out, so a forged link costs
/// nothing but a new sign-in.
/// </summary>
internal static class QuickExitEndpoint
{
    /// <summary>The provider's exit, relative to its issuer URL.</summary>
    public const string ProviderExitPath = "account/exit";

    public static IEndpointRouteBuilder MapQuickExit(this IEndpointRouteBuilder app)
    {
        app.MapGet(SafetyExtensions.QuickExitPath, ExitAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ExitAsync(HttpContext http, IOptions<OidcOptions> oidc, IOptions<SafetyOptions> safety)
    {
        var session = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (session is { Succeeded: true, Properties: { } properties } &&
            properties.GetTokenValue(Tokens.RefreshToken) is { Length: > 0 } refreshToken)
        {
            // Leaving must never wait on the provider for long: the token expires by itself.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            deadline.CancelAfter(TimeSpan.FromSeconds(2));
            await SignInEndpoints.RevokeAsync(http.RequestServices, refreshToken, deadline.Token);
        }

        http.Response.Cookies.Delete(LocalizationExtensions.CookieName);
        http.Response.Headers.CacheControl = "no-store";
        var providerExit = new Uri(oidc.Value.Authority, ProviderExitPath);
        return Results.Redirect(session.Succeeded ? providerExit.AbsoluteUri : safety.Value.QuickExitUrl.AbsoluteUri);
    }
}
