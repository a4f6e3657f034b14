using Consent.Identity.Localization;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace Consent.Identity.Pages.Account;

/// <summary>
/// Enrolment of a TOTP authenticator for a user whose password was checked but who has no second factor yet.
/// The user is signed in only after a valid code proves the authenticator works.
/// </summary>
public sealed partial class EnrollMfaModel(
    SignInManager<PlatformUser> signIn,
    UserManager<PlatformUser> users,
    IStringLocalizer<IdentityStrings> text,
    ILogger<EnrollMfaModel> logger) : PageModel
{
    [BindProperty] public string Code { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string SharedKey { get; private set; } = "";
    public string QrSvg { get; private set; } = "";
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/Login");
        }

        await ShowKeyAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("/Account/Login");
        }

        var code = (Code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            Error = text["EnrollCodeWrong"];
            await ShowKeyAsync(user);
            return Page();
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        await HttpContext.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new("amr", "mfa")]);
        LogEnrolled(logger, user.Id);
        return LocalRedirect(LoginModel.LocalReturnUrl(ReturnUrl));
    }

    private async Task ShowKeyAsync(PlatformUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }

        SharedKey = key!;
        var uri = $"otpauth://totp/{Uri.EscapeDataString("Safe sharing")}:{Uri.EscapeDataString(user.UserName!)}?secret={key}&issuer={Uri.EscapeDataString("Safe sharing")}&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        QrSvg = new SvgQRCode(data).GetGraphic(4);
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "User {UserId} enrolled an authenticator")]
    private static partial void LogEnrolled(ILogger logger, string userId);
}
