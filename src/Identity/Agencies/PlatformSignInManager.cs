using Consent.Identity.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Consent.Identity.Agencies;

/// <summary>
/// Identity's sign-in manager, except that a member of a suspended agency cannot sign in. Every path asks
/// <see cref="CanSignInAsync"/>: the password and code pages, the authorization endpoint for an existing
/// session, and the token endpoint before it redeems a code or a refresh token.
/// </summary>
public sealed class PlatformSignInManager(
    UserManager<PlatformUser> users,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PlatformUser> claimsFactory,
    IOptions<IdentityOptions> options,
    ILogger<SignInManager<PlatformUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PlatformUser> confirmation,
    AgencySuspensions suspensions)
    : SignInManager<PlatformUser>(users, contextAccessor, claimsFactory, options, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(PlatformUser user) =>
        await base.CanSignInAsync(user) && !await suspensions.IsSuspendedAsync(user.AgencyId);
}
