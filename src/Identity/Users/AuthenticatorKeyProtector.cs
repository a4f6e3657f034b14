using Microsoft.AspNetCore.DataProtection;

namespace Consent.Identity.Users;

/// <summary>
/// Encrypts authenticator (TOTP) secrets with ASP.NET Core Data Protection before they reach the database, so a
/// copy of the database alone does not let anyone compute a staff member's codes. Stored values carry a
/// prefix; a value without it is a plaintext secret from before, which is still read and protected at start.
/// </summary>
public sealed class AuthenticatorKeyProtector(IDataProtectionProvider protection)
{
    /// <summary>Where ASP.NET Core Identity's user store keeps the secret (AspNetUserTokens).</summary>
    public const string LoginProvider = "[AspNetUserStore]";
    public const string TokenName = "AuthenticatorKey";

    private const string Prefix = "dp1:";
    private readonly IDataProtector protector = protection.CreateProtector("Consent.Identity.AuthenticatorKey.v1");

    public static bool IsProtected(string? stored) => stored?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    public string Protect(string key) => Prefix + protector.Protect(key);

    public string? Unprotect(string? stored) => IsProtected(stored) ? protector.Unprotect(stored![Prefix.Length..]) : stored;
}
