using System.Security.Claims;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Identity.Pages.Account;

/// <summary>
/// Password sign-in. Staff must pass a second factor: those with an authenticator go to the code page,
/// those without are sent to enrol one before they are signed in.
/// </summary>
public sealed partial class LoginModel(
    SignInManager<PlatformUser> signIn,
    UserManager<PlatformUser> users,
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
        const string failed = "The user name or password is not right.";
        if (string.IsNullOrWhiteSpace(UserName) || string.IsNullOrEmpty(Password) || UserName.Length > 256 || Password.Length > 512)
        {
            Error = failed;
            return Page();
        }

        var user = await users.FindByNameAsync(UserName.Trim());
        if (user is null)
        {
            Error = failed;
            return Page();
        }

        var staff = Roles.IsStaff(await users.GetRolesAsync(user));
        if (staff && !await users.GetTwoFactorEnabledAsync(user))
        {
            var check = await signIn.CheckPasswordSignInAsync(user, Password, lockoutOnFailure: true);
            if (check.IsLockedOut)
            {
                LogLockedOut(logger, user.Id);
                Error = "This account is locked for a while after too many attempts. Try again later.";
                return Page();
            }

            if (!check.Succeeded)
            {
                Error = failed;
                return Page();
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
            Error = "This account is locked for a while after too many attempts. Try again later.";
            return Page();
        }

        Error = failed;
        return Page();
    }

    internal static string LocalReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) &&
        !returnUrl.StartsWith("/\\", StringComparison.Ordinal) ? returnUrl : "/";

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "User {UserId} is locked out after failed sign-in attempts")]
    private static partial void LogLockedOut(ILogger logger, string userId);
}
