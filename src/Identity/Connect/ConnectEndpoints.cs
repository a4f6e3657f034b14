using System.Security.Claims;
using Consent.Identity.Clients;
using Consent.Identity.Users;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Connect;

/// <summary>
/// The token and userinfo endpoints (OpenIddict validates the requests; these decide what goes in the token).
/// The authorization and end-session endpoints are Razor Pages, because they show forms.
/// </summary>
internal static class ConnectEndpoints
{
    public static IEndpointRouteBuilder MapConnect(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + ConnectPaths.Token, Exchange).ExcludeFromDescription();
        app.MapMethods("/" + ConnectPaths.UserInfo, ["GET", "POST"], UserInfo).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Exchange(
        HttpContext http,
        IOpenIddictApplicationManager applications,
        UserManager<PlatformUser> users,
        SignInManager<PlatformUser> signIn)
    {
        var request = http.GetOpenIddictServerRequest()!;
        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!);
            var registration = application is null ? null : AgencyClientProperties.Read(await applications.GetPropertiesAsync(application));
            if (registration is null)
            {
                // Only the platform's own operator client works without an agency.
                if (application is null || !request.HasScope(PlatformScopes.ManageClients))
                {
                    return Reject(Errors.InvalidClient, "This client is not registered for an agency.");
                }
            }
            else if (!registration.IsComplete)
            {
                // The consent API trusts the kind and purpose a token states: a registration that cannot say both gets none.
                return Reject(Errors.InvalidClient, "This client's registration states no valid kind and purpose of use.");
            }

            var scopes = request.GetScopes();
            if (scopes.IsEmpty)
            {
                return Reject(Errors.InvalidScope, "Ask for at least one scope, e.g. system/*.rs.");
            }

            // OpenIddict lets standard OpenID scopes through; a system client gets no identity token.
            if (scopes.Any(scope => !PlatformScopes.Smart.Contains(scope) && scope != PlatformScopes.ManageClients))
            {
                return Reject(Errors.InvalidScope, "System clients may ask for SMART system scopes only.");
            }

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId);
            identity.SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application!));
            if (registration is not null)
            {
                // A consent directory's purpose of use is its registration's, not a request header's.
                identity.SetClaim(PlatformClaims.AgencyId, registration.AgencyId)
                    .SetClaim(PlatformClaims.ClientKind, registration.Kind)
                    .SetClaim(PlatformClaims.PurposeOfUse, registration.PurposeOfUse);
            }

            identity.SetScopes(scopes);
            identity.SetResources(scopes.Contains(PlatformScopes.ManageClients) ? PlatformScopes.IdentityAdmin : PlatformScopes.ConsentApi);
            identity.SetDestinations(static _ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var user = result.Principal?.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
            if (user is null || !await signIn.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
            {
                return Reject(Errors.InvalidGrant, "The account can no longer sign in.");
            }

            // Roles and agency are read again, so a change made since sign-in applies at the next refresh.
            var identity = await UserPrincipal.CreateAsync(user, users, result.Principal!.GetScopes());
            return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Reject(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static async Task<IResult> UserInfo(HttpContext http, UserManager<PlatformUser> users)
    {
        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var user = result.Principal?.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
        if (user is null)
        {
            return Results.Challenge(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { [Claims.Subject] = user.Id };
        if (result.Principal!.HasScope(Scopes.Profile))
        {
            claims[Claims.PreferredUsername] = user.UserName!;
        }

        if (result.Principal!.HasScope(Scopes.Roles))
        {
            claims[Claims.Role] = await users.GetRolesAsync(user);
        }

        if (user.AgencyId is not null)
        {
            claims[PlatformClaims.AgencyId] = user.AgencyId;
        }

        if (user.SurvivorId is not null)
        {
            claims[PlatformClaims.SurvivorId] = user.SurvivorId;
        }

        return Results.Ok(claims);
    }

    private static IResult Reject(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
