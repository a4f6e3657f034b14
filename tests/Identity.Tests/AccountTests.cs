using System.Net;
using Consent.Identity.Users;
using Consent.TestSupport;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace Consent.Identity.Tests;

/// <summary>Sign-in protections: MFA enrolment for staff, lockout, rate limits.</summary>
public sealed class AccountTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task StaffWithoutAuthenticator_MustEnrolOne_BeforeTheyAreSignedIn()
    {
        var user = await CreateUserAsync("new-advocate", Roles.Advocate, "harbor-house");
        var browser = host.CreateBrowser();
        var login = new BrowserLogin(browser);

        var next = await login.SubmitLoginAsync("/account/login?ReturnUrl=%2Fconnect%2Fuserinfo", user);
        next.ShouldStartWith("/account/enroll-mfa");

        // Not signed in yet: authorizing still leads to the login page.
        var authorize = await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge));
        BrowserLogin.Location(authorize).ShouldContain("/account/login");

        var page = await browser.GetStringAsync(next);
        page.ShouldContain("<svg");
        var key = System.Text.RegularExpressions.Regex.Match(page, "Key: <code>([A-Z2-7]+)</code>").Groups[1].Value;
        key.ShouldNotBeNullOrEmpty();

        var (wrong, wrongHtml) = await login.PostFormAsync(next, new() { ["Code"] = "123456" == Code(key) ? "654321" : "123456" });
        wrong.StatusCode.ShouldBe(HttpStatusCode.OK);
        wrongHtml.ShouldContain("That code is not right");

        var done = await login.SubmitFormAsync(next, new() { ["Code"] = Code(key) });
        done.ShouldBe("/connect/userinfo");

        using var scope = host.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        (await users.GetTwoFactorEnabledAsync((await users.FindByNameAsync(user.UserName))!)).ShouldBeTrue();
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_EvenForTheRightPassword()
    {
        var user = await CreateUserAsync("lockout-survivor", Roles.Survivor, agencyId: null, survivorId: "sv-lockout");
        var login = new BrowserLogin(host.CreateBrowser());
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (response, _) = await login.PostFormAsync("/account/login", new() { ["UserName"] = user.UserName, ["Password"] = "Wrong!pass" + attempt });
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var (locked, html) = await login.PostFormAsync("/account/login", new() { ["UserName"] = user.UserName, ["Password"] = user.Password });
        locked.StatusCode.ShouldBe(HttpStatusCode.OK);
        html.ShouldContain("locked");
        locked.Headers.Location.ShouldBeNull();
    }

    [Fact]
    public async Task LoginAttempts_AreRateLimitedPerAddress()
    {
        await using var limited = IdentityHost.With(overrides: new Dictionary<string, string?> { ["RateLimits:LoginPerMinute"] = "3" });
        var login = new BrowserLogin(limited.CreateBrowser());
        for (var i = 0; i < 3; i++)
        {
            (await login.PostFormAsync("/account/login", new() { ["UserName"] = "x", ["Password"] = "y" })).Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var (response, body) = await login.PostFormAsync("/account/login", new() { ["UserName"] = "x", ["Password"] = "y" });
        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        body.ShouldContain("too-many-attempts");
    }

    [Fact]
    public async Task LoginAttempts_AreLimitedPerAccount_SoColleaguesBehindOneAddressAreNotLockedOut()
    {
        await using var limited = IdentityHost.With(overrides: new Dictionary<string, string?>
        {
            ["RateLimits:LoginPerMinute"] = "100",
            ["RateLimits:LoginPerAccountPerMinute"] = "3",
        });
        var login = new BrowserLogin(limited.CreateBrowser());
        foreach (var name in new[] { "nobody-" + Guid.NewGuid().ToString("n")[..8], "demo-advocate" })
        {
            for (var i = 0; i < 3; i++)
            {
                var (allowed, page) = await login.PostFormAsync("/account/login", new() { ["UserName"] = name, ["Password"] = "Wrong!pass" + i });
                allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
                page.ShouldNotContain("Too many attempts for this user name");
            }

            // The same answer for a real account and an unknown name: the limit tells nobody who exists.
            var (limitedAnswer, body) = await login.PostFormAsync("/account/login", new() { ["UserName"] = name.ToUpperInvariant(), ["Password"] = "Wrong!pass" });
            limitedAnswer.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            limitedAnswer.Headers.RetryAfter.ShouldNotBeNull();
            body.ShouldContain("Too many attempts for this user name");
        }

        // A colleague from the same address still signs in.
        var colleague = limited.User("demo-compliance");
        var (other, _) = await login.PostFormAsync("/account/login", new() { ["UserName"] = colleague.UserName, ["Password"] = colleague.Password });
        other.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task LoginForm_RejectsAPostWithoutItsAntiforgeryToken()
    {
        var response = await host.CreateBrowser().PostAsync("/account/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = "demo-survivor", ["Password"] = "x" }));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private static string Code(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    private async Task<DemoUser> CreateUserAsync(string userName, string role, string? agencyId, string? survivorId = null)
    {
        using var scope = host.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        const string password = "Test!password-2026";
        var user = new PlatformUser { UserName = userName, AgencyId = agencyId, SurvivorId = survivorId };
        (await users.CreateAsync(user, password)).Succeeded.ShouldBeTrue();
        (await users.AddToRoleAsync(user, role)).Succeeded.ShouldBeTrue();
        return new DemoUser(userName, password, role, agencyId, survivorId, null);
    }
}
