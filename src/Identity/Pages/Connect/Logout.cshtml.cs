using Consent.Identity.Users;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Server.AspNetCore;

namespace Consent.Identity.Pages.Connect;

/// <summary>
/// RP-initiated logout. With a valid id_token_hint (checked by OpenIddict) the user is signed out at once;
/// without one, a confirmation form guards against sign-out by a third-party link.
/// </summary>
public sealed class LogoutModel(SignInManager<PlatformUser> signIn) : PageModel
{
    public IReadOnlyList<KeyValuePair<string, string>> RequestParameters { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var request = HttpContext.GetOpenIddictServerRequest()!;
        if (!string.IsNullOrEmpty(request.IdTokenHint))
        {
            return await SignOutAsync();
        }

        RequestParameters = [.. request.GetParameters().Select(p => new KeyValuePair<string, string>(p.Key, (string?)p.Value ?? ""))];
        return Page();
    }

    public Task<IActionResult> OnPostAsync() => SignOutAsync();

    private async Task<IActionResult> SignOutAsync()
    {
        await signIn.SignOutAsync();
        return SignOut(new AuthenticationProperties { RedirectUri = "/account/signed-out" },
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
