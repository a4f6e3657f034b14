using System.Security.Claims;
using Consent.Identity.Localization;
using Consent.Identity.Security;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consent.Identity.Pages.Account;

/// <summary>
/// Password sign-in. Staff must pass a second factor: those with an authenticator go to the code page,
/// those without are sent to enrol one before they are signed in. Every refusal reads the same and costs
/// one password hash, so neither the text nor the time tells an unknown user name from a wrong password
/// or a locked account.
/// </summary>
public sealed partial class LoginModel(
    SignInManager<PlatformUser> signIn,
    UserManager<PlatformUser> users,
    DecoyPasswordCheck decoy,
    AccountAttemptLimiter attempts,
    IStringLocalizer<IdentityStrings> text,
    ILogger<LoginModel> logger) : PageModel
{
    [BindProperty] public string UserName { get; set; } = "";
    [BindProperty] public string Password { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var returnUrl = LocalReturnUrl(ReturnUrl);
        if (string.IsNullOrWhiteSpace(UserName) || string.IsNullOrEmpty(Password) || UserName.Length > 256 || Password.Length > 512)
        {
            return Refused();
        }

        if (!attempts.TryAcquire(UserName))
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = "60";
            Error = text["LoginTooMany"];
            return Page();
        }

        var user = await users.FindByNameAsync(UserName.Trim());
        if (user is null)
        {
            decoy.Spend(Password);
            return Refused();
        }

        // SignInManager answers a locked account, or one that may not sign in (its agency is suspended),
        // before it hashes anything.
        if (await users.IsLockedOutAsync(user))
        {
            decoy.Spend(Password);
            LogLockedOut(logger, user.Id);
            return Refused();
        }

        if (!await signIn.CanSignInAsync(user))
        {
            decoy.Spend(Password);
            return Refused();
        }

        var staff = Roles.IsStaff(await users.GetRolesAsync(user));
        if (staff && !await users.GetTwoFactorEnabledAsync(user))
        {
            var check = await signIn.CheckPasswordSignInAsync(user, Password, lockoutOnFailure: true);
            if (check.IsLockedOut)
            {
                LogLockedOut(logger, user.Id);
            }

            if (!check.Succeeded)
            {
                return Refused();
            }

            // Password is right but staff may not sign in without a second factor: enrol one first.
            await HttpContext.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(
                new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Id)], IdentityConstants.TwoFactorUserIdScheme)));
            return RedirectToPage("/Account/EnrollMfa", new { returnUrl });
        }

        var result = await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(returnUrl);
        }

        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Account/Mfa", new { returnUrl });
        }

        if (result.IsLockedOut)
        {
            LogLockedOut(logger, user.Id);
        }

        return Refused();
    }

    /// <summary>One text for every refusal (in each language); it names the lockout without saying whether it applies.</summary>
    private PageResult Refused()
    {
        Error = text["LoginRefused"];
        return Page();
    }

    internal static string LocalReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) &&
        !returnUrl.StartsWith("/\\", StringComparison.Ordinal) ? returnUrl : "/";

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "User {UserId} is locked out after failed sign-in attempts")]
    private static partial void LogLockedOut(ILogger logger, string userId);
}
