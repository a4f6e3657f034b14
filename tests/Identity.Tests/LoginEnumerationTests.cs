using System.Net;
using AngleSharp.Html.Parser;
using Consent.Identity.Users;
using Consent.TestSupport;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Consent.Identity.Tests;

/// <summary>The login form does not tell an unknown user name from a wrong password or a locked account.</summary>
public sealed class LoginEnumerationTests : IAsyncLifetime
{
    private readonly PasswordChecks checks = new();
    private readonly IdentityHost host;

    public LoginEnumerationTests() =>
        host = IdentityHost.With(services: (_, services) =>
        {
            services.AddSingleton(checks);
            services.AddScoped<IPasswordHasher<PlatformUser>, CountingPasswordHasher>();
        });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task UnknownUser_WrongPassword_AndLockedAccount_ShowTheSamePage()
    {
        var locked = await LockedUserAsync("locked-survivor", "sv-locked-1");
        var unknown = await RefusedPageAsync("nobody-at-all", "Whatever!2026a");
        var wrong = await RefusedPageAsync("demo-survivor", "Wrong!password1");
        var lockedPage = await RefusedPageAsync(locked.UserName, locked.Password);

        unknown.ShouldContain("The user name or password is not right.");
        wrong.ShouldBe(unknown);
        lockedPage.ShouldBe(unknown);
    }

    [Fact]
    public async Task UnknownUser_AndLockedAccount_CostAPasswordHash_LikeAKnownUser()
    {
        var locked = await LockedUserAsync("locked-survivor-2", "sv-locked-2");

        checks.Reset();
        await RefusedPageAsync("nobody-at-all", "Whatever!2026a");
        checks.Count.ShouldBe(1, "the unknown user name is checked against the decoy hash");

        checks.Reset();
        await RefusedPageAsync(locked.UserName, locked.Password);
        checks.Count.ShouldBe(1, "a locked account is checked against the decoy hash");

        checks.Reset();
        await RefusedPageAsync("demo-survivor", "Wrong!password1");
        checks.Count.ShouldBe(1, "a known user's password is checked against their hash");
    }

    /// <summary>Posts the login form; asserts the refusal (200, no redirect, no cookie) and returns the page's text.</summary>
    private async Task<string> RefusedPageAsync(string userName, string password)
    {
        var (response, html) = await new BrowserLogin(host.CreateBrowser()).PostFormAsync("/account/login",
            new() { ["UserName"] = userName, ["Password"] = password });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Location.ShouldBeNull();
        response.Headers.TryGetValues("Set-Cookie", out var cookies);
        (cookies ?? []).ShouldNotContain(cookie => cookie.StartsWith("consent.identity=", StringComparison.Ordinal));
        var text = new HtmlParser().ParseDocument(html).Body!.TextContent;
        text.ShouldNotContain(userName);
        return text;
    }

    private async Task<DemoUser> LockedUserAsync(string userName, string survivorId)
    {
        using var scope = host.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        const string password = "Test!password-2026";
        var user = new PlatformUser { UserName = userName, SurvivorId = survivorId };
        (await users.CreateAsync(user, password)).Succeeded.ShouldBeTrue();
        (await users.AddToRoleAsync(user, Roles.Survivor)).Succeeded.ShouldBeTrue();
        (await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddMinutes(15))).Succeeded.ShouldBeTrue();
        return new DemoUser(userName, password, Roles.Survivor, null, survivorId, null);
    }

    /// <summary>Counts password verifications of the real hasher.</summary>
    private sealed class PasswordChecks
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public void Reset() => Interlocked.Exchange(ref count, 0);

        public void Add() => Interlocked.Increment(ref count);
    }

    private sealed class CountingPasswordHasher(PasswordChecks checks, IOptions<PasswordHasherOptions> options)
        : PasswordHasher<PlatformUser>(options)
    {
        public override PasswordVerificationResult VerifyHashedPassword(PlatformUser user, string hashedPassword, string providedPassword)
        {
            checks.Add();
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
