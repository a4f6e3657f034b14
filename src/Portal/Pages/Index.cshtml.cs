using Consent.Portal.Navigation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages;

/// <summary>Home: a sign-in button; a signed-in person goes straight to their role's start page.</summary>
public sealed class IndexModel : PageModel
{
    public bool SignInFailed { get; private set; }

    /// <summary>Signed in, but with no role the portal has pages for.</summary>
    public bool NoPages { get; private set; }

    public IActionResult OnGet(string? signin)
    {
        SignInFailed = signin == "failed";
        if (User.Identity?.IsAuthenticated != true)
        {
            return Page();
        }

        if (PortalNavigation.StartPage(User) is { } start)
        {
            return LocalRedirect(start);
        }

        NoPages = true;
        return Page();
    }
}
