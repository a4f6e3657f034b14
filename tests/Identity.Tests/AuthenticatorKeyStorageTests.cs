using Consent.Identity.Data;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Consent.Identity.Tests;

/// <summary>Authenticator secrets are encrypted in the database; accounts from before keep working.</summary>
public sealed class AuthenticatorKeyStorageTests
{
    [Fact]
    public async Task StoredSecret_IsNotTheRawSecret_AndSignInWithTheAuthenticatorWorks()
    {
        await using var host = IdentityHost.With();
        var advocate = host.User("demo-advocate");

        var stored = await StoredSecretAsync(host, "demo-advocate");
        stored.ShouldNotBeNullOrEmpty();
        stored.ShouldNotContain(advocate.TotpSecret!);

        await ShouldSignInWithTheAuthenticatorAsync(host, "demo-advocate");
    }

    [Fact]
    public async Task SecretStoredInTheClearBefore_IsEncryptedAtStart_AndStillWorks()
    {
        var directory = Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n"));
        string secret;
        await using (var before = IdentityHost.With(directory))
        {
            secret = before.User("demo-shelter-admin").TotpSecret!;
            using var scope = before.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
            var userId = (await db.Users.SingleAsync(u => u.UserName == "demo-shelter-admin")).Id;
            (await db.UserTokens.Where(t => t.UserId == userId && t.Name == "AuthenticatorKey")
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.Value, secret))).ShouldBe(1);
        }

        try
        {
            await using var after = IdentityHost.With(directory);
            var stored = await StoredSecretAsync(after, "demo-shelter-admin");
            stored.ShouldNotBeNullOrEmpty();
            stored.ShouldNotContain(secret);
            await ShouldSignInWithTheAuthenticatorAsync(after, "demo-shelter-admin");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string?> StoredSecretAsync(IdentityHost host, string userName)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        var userId = (await db.Users.SingleAsync(u => u.UserName == userName)).Id;
        return (await db.UserTokens.SingleAsync(t => t.UserId == userId && t.Name == "AuthenticatorKey")).Value;
    }

    private static async Task ShouldSignInWithTheAuthenticatorAsync(IdentityHost host, string userName)
    {
        var tokens = await TokenRequests.UserTokensAsync(host, userName);
        new JsonWebToken(tokens.GetProperty("access_token").GetString()).GetClaim("amr").Value.ShouldBe("mfa");
    }
}
