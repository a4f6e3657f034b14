using Consent.Identity.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Consent.Identity.Users;

/// <summary>The EF Core user store, with the authenticator secret encrypted at rest.</summary>
public sealed class ProtectedUserStore(IdentityDb context, AuthenticatorKeyProtector keys, IdentityErrorDescriber? describer = null)
    : UserStore<PlatformUser, IdentityRole, IdentityDb>(context, describer)
{
    public override Task SetAuthenticatorKeyAsync(PlatformUser user, string key, CancellationToken cancellationToken) =>
        base.SetAuthenticatorKeyAsync(user, keys.Protect(key), cancellationToken);

    public override async Task<string?> GetAuthenticatorKeyAsync(PlatformUser user, CancellationToken cancellationToken) =>
        keys.Unprotect(await base.GetAuthenticatorKeyAsync(user, cancellationToken));
}
