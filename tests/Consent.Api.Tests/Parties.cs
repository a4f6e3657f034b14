using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Consent.Identity.Users;
using Consent.TestSupport;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>
/// Signs people and agency systems in through the real identity provider and hands out API clients that carry
/// their tokens. Extra users (another survivor, an advocate at another agency) are created in the provider.
/// </summary>
public sealed class Parties(ApiHost api)
{
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset At)> tokens = new();
    private readonly ConcurrentDictionary<string, DemoUser> extraUsers = new();
    private readonly SemaphoreSlim gate = new(1, 1);

    public Task<HttpClient> Survivor() => As("demo-survivor");

    public Task<HttpClient> Advocate() => As("demo-advocate");

    public Task<HttpClient> Compliance() => As("demo-compliance");

    public Task<HttpClient> ShelterAdmin() => As("demo-shelter-admin");

    public Task<HttpClient> ClinicAdmin() => As("demo-clinic-admin");

    public Task<HttpClient> PlatformAdmin() => As("demo-platform-admin");

    /// <summary>An API client with the user's access token (from the code flow through the login form).</summary>
    public async Task<HttpClient> As(string userName)
    {
        var token = await TokenAsync(userName, async () =>
        {
            var user = extraUsers.TryGetValue(userName, out var extra) ? extra : api.Identity.User(userName);
            return await UserTokenAsync(user);
        });
        return Client(token);
    }

    /// <summary>An API client with an agency system's token (client credentials, private_key_jwt).</summary>
    public async Task<HttpClient> AgencySystem(string agencyId, string scope = "system/*.rs")
    {
        var token = await TokenAsync("system:" + agencyId + ":" + scope, () =>
            TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), api.Identity.Client(agencyId), scope));
        return Client(token);
    }

    /// <summary>An API client with the demo consent directory's token (client credentials, private_key_jwt; purpose COC from its registration).</summary>
    public async Task<HttpClient> ConsentDirectory(string scope = "system/Patient.rs system/Consent.rs system/Organization.rs")
    {
        var token = await TokenAsync("directory:" + scope, () =>
            TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), api.Identity.ConsentDirectory, scope));
        return Client(token);
    }

    /// <summary>Creates a user in the provider (staff with TOTP, as the demo seed does) and returns its name.</summary>
    public async Task<string> CreateUserAsync(string role, string? agencyId = null, string? survivorId = null)
    {
        var userName = $"{role}-{Guid.NewGuid():n}"[..24];
        using var scope = api.Identity.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        var password = "Tst!" + Guid.NewGuid().ToString("n")[..12] + "7a";
        var user = new PlatformUser { UserName = userName, AgencyId = agencyId, SurvivorId = survivorId, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role));
        string? totp = null;
        if (role != Roles.Survivor)
        {
            Check(await users.ResetAuthenticatorKeyAsync(user));
            totp = await users.GetAuthenticatorKeyAsync(user);
            Check(await users.SetTwoFactorEnabledAsync(user, true));
        }

        extraUsers[userName] = new DemoUser(userName, password, role, agencyId, survivorId, totp);
        return userName;
    }

    public HttpClient Anonymous() => api.CreateClient();

    private HttpClient Client(string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> TokenAsync(string key, Func<Task<string>> issue)
    {
        // Access tokens live five minutes; reuse one for up to three.
        if (tokens.TryGetValue(key, out var cached) && DateTimeOffset.UtcNow - cached.At < TimeSpan.FromMinutes(3))
        {
            return cached.Token;
        }

        await gate.WaitAsync();
        try
        {
            var token = await issue();
            tokens[key] = (token, DateTimeOffset.UtcNow);
            return token;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<string> UserTokenAsync(DemoUser user)
    {
        var browser = api.Identity.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(user, challenge);
        var (status, _, body) = await TokenRequests.RedeemCodeAsync(browser, code, verifier);
        return status == 200
            ? body.GetProperty("access_token").GetString()!
            : throw new InvalidOperationException($"Code redemption failed: {body}");
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Code)));
        }
    }
}
