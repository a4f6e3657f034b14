using System.Security.Claims;
using Consent.Identity.Connect;
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
/// The authorization endpoint. OpenIddict has already checked the client, the exact redirect URI and PKCE;
/// this page makes sure the user is signed in (with MFA for staff) and, for clients that need it, asks consent.
/// </summary>
[IgnoreAntiforgeryToken] // the request is bound to the sign-in cookie and validated by OpenIddict
public sealed class AuthorizeModel(
    IOpenIddictApplicationManager applications,
    UserManager<PlatformUser> users,
    SignInManager<PlatformUser> signIn) : PageModel
{
    public string ApplicationName { get; private set; } = "";
    public IReadOnlyList<string> Scopes { get; private set; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> RequestParameters { get; private set; } = [];

    public Task<IActionResult> OnGetAsync() => HandleAsync(decision: null);

    public Task<IActionResult> OnPostAsync([FromForm] string? decision) => HandleAsync(decision);

    private async Task<IActionResult> HandleAsync(string? decision)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        var cookie = await HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = cookie.Succeeded ? await users.GetUserAsync(cookie.Principal!) : null;
        if (user is null || request.HasPromptValue(PromptValues.Login) || !await signIn.CanSignInAsync(user))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            }

            // Come back here with the same request once signed in; "prompt=login" is dropped so the loop ends.
            var parameters = (Request.HasFormContentType ? Request.Form.AsEnumerable() : Request.Query.AsEnumerable())
                .Where(p => p.Key != Parameters.Prompt && p.Key != "decision")
                .ToList();
            return Challenge(new AuthenticationProperties
            {
                RedirectUri = Request.PathBase + Request.Path + QueryString.Create(parameters),
            }, IdentityConstants.ApplicationScheme);
        }

        if (Roles.IsStaff(await users.GetRolesAsync(user)) && !await users.GetTwoFactorEnabledAsync(user))
        {
            await signIn.SignOutAsync();
            return Forbid(Errors.AccessDenied, "Staff accounts must use a second factor.");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!)
            ?? throw new InvalidOperationException("The client application cannot be found.");

        if (await applications.GetConsentTypeAsync(application) == ConsentTypes.Explicit)
        {
            if (decision == "deny")
            {
                return Forbid(Errors.AccessDenied, "The user did not allow access.");
            }

            if (decision != "accept")
            {
                if (request.HasPromptValue(PromptValues.None))
                {
                    return Forbid(Errors.ConsentRequired, "The user must allow access interactively.");
                }

                ApplicationName = await applications.GetDisplayNameAsync(application) ?? request.ClientId!;
                Scopes = [.. request.GetScopes()];
                RequestParameters = [.. request.GetParameters()
                    .Where(p => p.Key != "decision")
                    .Select(p => new KeyValuePair<string, string>(p.Key, (string?)p.Value ?? ""))];
                return Page();
            }
        }

        var identity = await UserPrincipal.CreateAsync(user, users, request.GetScopes());
        return SignIn(new ClaimsPrincipal(identity), OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private ForbidResult Forbid(string error, string description) => Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
}
