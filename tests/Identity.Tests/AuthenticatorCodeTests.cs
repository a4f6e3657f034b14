using System.Net;
using Consent.Identity.Users;
using Consent.TestSupport;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace Consent.Identity.Tests;

/// <summary>Authenticator codes are used once and only within a step of the current time.</summary>
public sealed class AuthenticatorCodeTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task SameCode_InASecondSignIn_IsRefused()
    {
        var (user, totp) = await StaffWithAuthenticatorAsync("replay-advocate");
        var code = totp.ComputeTotp();

        var firstBrowser = host.CreateBrowser();
        (await new BrowserLogin(firstBrowser).SubmitFormAsync(await PasswordStepAsync(firstBrowser, user), new() { ["Code"] = code }))
            .ShouldBe(SignedInTo);

        var browser = host.CreateBrowser();
        var (replay, html) = await new BrowserLogin(browser).PostFormAsync(await PasswordStepAsync(browser, user), new() { ["Code"] = code });
        ShouldBeRefused(replay, html);
        await ShouldNotBeSignedIn(browser);
    }

    [Fact]
    public async Task CodeTwoStepsOld_IsRefused_ThenTheCurrentCodeWorks()
    {
        var (user, totp) = await StaffWithAuthenticatorAsync("clock-advocate");
        var now = DateTime.UtcNow;
        var current = new[] { -30, 0, 30 }.Select(offset => totp.ComputeTotp(now.AddSeconds(offset))).ToHashSet();
        var old = new[] { -60, -90, -120 }.Select(offset => totp.ComputeTotp(now.AddSeconds(offset))).First(code => !current.Contains(code));

        var browser = host.CreateBrowser();
        var login = new BrowserLogin(browser);
        var mfa = await PasswordStepAsync(browser, user);
        var (refused, html) = await login.PostFormAsync(mfa, new() { ["Code"] = old });
        ShouldBeRefused(refused, html);
        await ShouldNotBeSignedIn(browser);

        (await login.SubmitFormAsync(mfa, new() { ["Code"] = totp.ComputeTotp() })).ShouldBe(SignedInTo);
    }

    private const string SignedInTo = "/connect/userinfo";

    private async Task<string> PasswordStepAsync(HttpClient browser, DemoUser user)
    {
        var next = await new BrowserLogin(browser).SubmitLoginAsync("/account/login?ReturnUrl=%2Fconnect%2Fuserinfo", user);
        next.ShouldStartWith("/account/mfa");
        return next;
    }

    private static void ShouldBeRefused(HttpResponseMessage response, string html)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.Location.ShouldBeNull();
        html.ShouldContain("That code is not right");
        html.ShouldNotContain("   at ");
    }

    private static async Task ShouldNotBeSignedIn(HttpClient browser) =>
        BrowserLogin.Location(await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge))).ShouldContain("/account/login");

    private async Task<(DemoUser User, Totp Totp)> StaffWithAuthenticatorAsync(string userName)
    {
        using var scope = host.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        const string password = "Test!password-2026";
        var user = new PlatformUser { UserName = userName, AgencyId = "harbor-house" };
        (await users.CreateAsync(user, password)).Succeeded.ShouldBeTrue();
        (await users.AddToRoleAsync(user, Roles.Advocate)).Succeeded.ShouldBeTrue();
        (await users.ResetAuthenticatorKeyAsync(user)).Succeeded.ShouldBeTrue();
        (await users.SetTwoFactorEnabledAsync(user, true)).Succeeded.ShouldBeTrue();
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        return (new DemoUser(userName, password, Roles.Advocate, "harbor-house", null, key), new Totp(Base32Encoding.ToBytes(key)));
    }
}
