using System.Security.Cryptography;
using System.Text;
using Consent.Identity.Data;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OtpNet;

namespace Consent.Identity.Security;

/// <summary>
/// Authenticator (TOTP, RFC 6238) codes, each usable once: 30-second steps, one step of clock difference
/// either way, and only a step later than the user's last accepted one. ASP.NET Core Identity's own
/// provider accepts a code for 90 seconds either way and as often as it is presented.
/// </summary>
public sealed class SingleUseAuthenticatorCodes(IdentityDb db, TimeProvider time) : IUserTwoFactorTokenProvider<PlatformUser>
{
    private const int StepSeconds = 30;
    private const int AllowedSteps = 1;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PlatformUser> manager, PlatformUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>The authenticator app makes the codes; the provider never sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<PlatformUser> manager, PlatformUser user) =>
        Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PlatformUser> manager, PlatformUser user)
    {
        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key) || token.Length != 6 || !token.All(char.IsAsciiDigit) || !TryDecodeBase32(key, out var secret))
        {
            return false;
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
        long? matched = null;
        for (var step = now - AllowedSteps; step <= now + AllowedSteps; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Code(secret, step)), Encoding.ASCII.GetBytes(token)))
            {
                matched = step;
            }
        }

        return matched is { } accepted && await ClaimAsync(user.Id, accepted);
    }

    /// <summary>Moves the user's last step forward in one statement, so two sign-ins racing with one code cannot both win.</summary>
    private async Task<bool> ClaimAsync(string userId, long step)
    {
        if (await db.AuthenticatorSteps.Where(s => s.UserId == userId && s.LastStep < step)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastStep, step)) == 1)
        {
            return true;
        }

        if (await db.AuthenticatorSteps.AnyAsync(s => s.UserId == userId))
        {
            return false;
        }

        var first = db.AuthenticatorSteps.Add(new AuthenticatorStep(userId, step));
        try
        {
            await db.SaveChangesAsync();
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // another sign-in stored this user's first step at the same moment
        }
        finally
        {
            first.State = EntityState.Detached;
        }
    }

    /// <summary>RFC 4226 HOTP with HMAC-SHA1 and six digits, at RFC 6238 step <paramref name="step"/>.</summary>
    internal static string Code(byte[] secret, long step) => new Hotp(secret).ComputeHOTP(step);

    private static bool TryDecodeBase32(string text, out byte[] bytes)
    {
        try
        {
            bytes = Base32Encoding.ToBytes(text.ToUpperInvariant());
        }
        catch (ArgumentException)
        {
            bytes = [];
        }

        return bytes.Length > 0;
    }
}
