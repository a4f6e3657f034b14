using System.Collections.Immutable;
using System.Security.Claims;
using Consent.Identity.Clients;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Connect;

/// <summary>Builds the token principal of a signed-in user: id, handle, roles, agency or survivor id.</summary>
internal static class UserPrincipal
{
    public static async Task<ClaimsIdentity> CreateAsync(
        PlatformUser user, UserManager<PlatformUser> users, ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.PreferredUsername, user.UserName)
            .SetClaim(PlatformClaims.AgencyId, user.AgencyId)
            .SetClaim(PlatformClaims.SurvivorId, user.SurvivorId)
            .SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)]);
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            identity.SetClaim(Claims.AuthenticationMethodReference, "mfa");
        }

        identity.SetScopes(scopes);
        // Only admins' tokens may be presented to the provider's own admin API: platform admins for every agency's
        // systems, agency admins for their own agency's (the admin API limits them to it).
        var roles = await users.GetRolesAsync(user);
        identity.SetResources(roles.Contains(Roles.PlatformAdmin) || (roles.Contains(Roles.AgencyAdmin) && user.AgencyId is not null)
            ? [PlatformScopes.ConsentApi, PlatformScopes.IdentityAdmin]
            : [PlatformScopes.ConsentApi]);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name or Claims.PreferredUsername when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Role when identity.HasScope(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
            PlatformClaims.AgencyId or PlatformClaims.SurvivorId => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.AuthenticationMethodReference => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return identity;
    }
}
