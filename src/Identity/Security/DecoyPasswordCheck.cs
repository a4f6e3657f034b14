using Consent.Identity.Users;
using Microsoft.AspNetCore.Identity;

namespace Consent.Identity.Security;

/// <summary>
/// Makes a sign-in attempt that cannot succeed (unknown user name, locked account) cost what a real one
/// costs: the password is verified against a fixed hash made once with the configured hasher, so the
/// response time does not tell whether an account exists or is locked.
/// </summary>
public sealed class DecoyPasswordCheck(IPasswordHasher<PlatformUser> hasher)
{
    private static readonly PlatformUser Nobody = new();
    private static string? decoyHash;

    public void Spend(string password)
    {
        // A race only hashes twice; every hash has the hasher's format and iteration count.
        var hash = decoyHash ??= hasher.HashPassword(Nobody, Guid.NewGuid().ToString("n"));
        _ = hasher.VerifyHashedPassword(Nobody, hash, password);
    }
}
