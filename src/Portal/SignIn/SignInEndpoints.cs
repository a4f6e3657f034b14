using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OpenIddict.Abstractions;
using OpenIddict.Client;
using OpenIddict.Client.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Client.AspNetCore.OpenIddictClientAspNetCoreConstants;
using Tokens = OpenIddict.Client.AspNetCore.OpenIddictClientAspNetCoreConstants.Tokens;

namespace Consent.Portal.SignIn;

/// <summary>
/// Sign in, sign out and the two callbacks of the OpenID Connect flow, after OpenIddict's client samples.
/// OpenIddict validates every callback (state, PKCE, tokens); these endpoints only turn the result into
/// the portal's cookie session and back.
/// </summary>
internal static partial class SignInEndpoints
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(PortalPaths.SignIn, SignIn).AllowAnonymous();
        app.MapPost(PortalPaths.SignOut, SignOut).AllowAnonymous();
        app.MapMethods("/" + PortalPaths.LoginCallback, [HttpMethods.Get, HttpMethods.Post], LoginCallback).AllowAnonymous();
        app.MapMethods("/" + PortalPaths.LogoutCallback, [HttpMethods.Get, HttpMethods.Post], (Delegate)LogoutCallback).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Sends the browser to the provider (authorization code with PKCE, S256), asking it with <c>ui_locales</c>
    /// to show its pages in the portal's current language, so the person does not have to choose it twice.
    /// </summary>
    private static IResult SignIn(HttpContext http, string? returnUrl)
    {
        var target = LocalOrHome(returnUrl);
        if (http.User.Identity?.IsAuthenticated == true)
        {
            return Results.LocalRedirect(target);
        }

        // OpenIddict's client copies AuthenticationProperties.Parameters into the authorization request.
        var properties = new AuthenticationProperties { RedirectUri = target };
        properties.Parameters[Parameters.UiLocales] = CultureInfo.CurrentUICulture.Name;
        return Results.Challenge(properties, [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>Turns the provider's answer into the portal session, keeping the tokens for calls to the API.</summary>
    private static async Task<IResult> LoginCallback(HttpContext http, ILoggerFactory loggers)
    {
        var result = await http.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { Identity.IsAuthenticated: true } external || result.Properties is null)
        {
            LogSignInFailed(loggers.CreateLogger(typeof(SignInEndpoints)), result.Failure?.GetType().Name ?? "no principal");
            return Results.LocalRedirect("/?signin=failed");
        }

        var identity = new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme, Claims.PreferredUsername, Claims.Role);
        identity.SetClaim(Claims.Subject, external.GetClaim(Claims.Subject))
            .SetClaim(Claims.PreferredUsername, external.GetClaim(Claims.PreferredUsername) ?? external.GetClaim(Claims.Name))
            .SetClaim(PortalClaims.AgencyId, external.GetClaim(PortalClaims.AgencyId))
            .SetClaim(PortalClaims.SurvivorId, external.GetClaim(PortalClaims.SurvivorId))
            .SetClaims(Claims.Role, [.. external.GetClaims(Claims.Role).Distinct(StringComparer.Ordinal)])
            .SetClaim(Claims.Private.RegistrationId, external.GetClaim(Claims.Private.RegistrationId));

        // No RedirectUri in the session's properties: the cookie handler would redirect on every later sign-in
        // (token renewal re-issues the cookie in the middle of a page).
        var properties = new AuthenticationProperties();
        properties.StoreTokens(result.Properties.GetTokens().Where(token => token.Name is
            Tokens.BackchannelAccessToken or
            Tokens.BackchannelAccessTokenExpirationDate or
            Tokens.BackchannelIdentityToken or
            Tokens.RefreshToken));

        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity), properties);
        return Results.LocalRedirect(LocalOrHome(result.Properties.RedirectUri));
    }

    /// <summary>
    /// Ends the portal session at once, revokes the refresh token, then asks the provider to end its session
    /// too (with the id token as hint, so it does so without asking).
    /// </summary>
    private static async Task<IResult> SignOut(HttpContext http, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                type: "https://consent.example/problems/invalid-form", title: "The form has expired. Please try again.");
        }

        var session = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (session is not { Succeeded: true, Properties: { } properties })
        {
            return Results.LocalRedirect("/");
        }

        if (properties.GetTokenValue(Tokens.RefreshToken) is { Length: > 0 } refreshToken)
        {
            await RevokeAsync(http.RequestServices, refreshToken, http.RequestAborted);
        }

        if (properties.GetTokenValue(Tokens.BackchannelIdentityToken) is not { Length: > 0 } idToken)
        {
            return Results.LocalRedirect("/");
        }

        return Results.SignOut(
            new AuthenticationProperties(new Dictionary<string, string?> { [OpenIddictClientAspNetCoreConstants.Properties.IdentityTokenHint] = idToken })
            {
                RedirectUri = "/",
            },
            [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static async Task<IResult> LogoutCallback(HttpContext http)
    {
        var result = await http.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        return Results.LocalRedirect(LocalOrHome(result.Properties?.RedirectUri));
    }

    /// <summary>Best effort: the session is already gone locally, and the token expires by itself.</summary>
    internal static async Task RevokeAsync(IServiceProvider services, string refreshToken, CancellationToken cancellationToken)
    {
        var client = services.GetRequiredService<OpenIddictClientService>();
        try
        {
            await client.RevokeTokenAsync(new()
            {
                Token = refreshToken,
                TokenTypeHint = TokenTypeHints.RefreshToken,
                CancellationToken = cancellationToken,
            });
        }
        catch (Exception exception) when (exception is OpenIddictExceptions.ProtocolException or HttpRequestException or InvalidOperationException or OperationCanceledException)
        {
            LogRevocationFailed(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInEndpoints)), exception.GetType().Name);
        }
    }

    private static string LocalOrHome(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Sign-in callback rejected: {Reason}")]
    private static partial void LogSignInFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Refresh token revocation at sign-out failed: {Reason}")]
    private static partial void LogRevocationFailed(ILogger logger, string reason);
}
