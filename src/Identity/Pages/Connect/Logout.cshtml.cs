using Consent.Identity.Users;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Pages.Connect;

/// <summary>
/// RP-initiated logout. A GET signs out at once only when its id_token_hint is one of ours (OpenIddict checks
/// signature and issuer) and names the signed-in user; any other GET shows a confirmation form that posts back
/// with an antiforgery token, so a third-party link cannot sign anyone out. Signing out renews the user's
/// security stamp, which every request's cookie is checked against, so a copy of the old cookie stops working.
/// </summary>
public sealed class LogoutModel(SignInManager<PlatformUser> signIn, UserManager<PlatformUser> users) : PageModel
{
    public IReadOnlyList<KeyValuePair<string, string>> RequestParameters { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var request = HttpContext.GetOpenIddictServerRequest()!;
        var signedIn = await SignedInUserAsync();
        if (signedIn is null || await HintSubjectAsync() == signedIn.Id)
        {
            return await SignOutAsync(signedIn);
        }

        RequestParameters = [.. request.GetParameters().Select(p => new KeyValuePair<string, string>(p.Key, (string?)p.Value ?? ""))];
        return Page();
    }

    public async Task<IActionResult> OnPostAsync() => await SignOutAsync(await SignedInUserAsync());

    private async Task<PlatformUser?> SignedInUserAsync()
    {
        var cookie = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return cookie.Succeeded ? await users.GetUserAsync(cookie.Principal!) : null;
    }

    /// <summary>The subject of a valid id_token_hint; null when there is none or it is not ours.</summary>
    private async Task<string?> HintSubjectAsync()
    {
        var hint = await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        return hint.Succeeded ? hint.Principal?.GetClaim(Claims.Subject) : null;
    }

    private async Task<IActionResult> SignOutAsync(PlatformUser? user)
    {
        if (user is not null)
        {
            await users.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        return SignOut(new AuthenticationProperties { RedirectUri = "/account/signed-out" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
