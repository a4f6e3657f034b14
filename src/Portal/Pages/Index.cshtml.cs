using Consent.Portal.ConsentApi;
using Consent.Portal.SignIn;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages;

/// <summary>Home: a sign-in button, or who is signed in and what the consent API knows of them.</summary>
public sealed class IndexModel(UserTokens tokens, ConsentApiClient api) : PageModel
{
    public bool SignInFailed { get; private set; }

    /// <summary>The consent API's view of the signed-in person; null when nobody is signed in.</summary>
    public ApiAnswer<CallerView>? Account { get; private set; }

    public async Task OnGetAsync(string? signin, CancellationToken cancellationToken)
    {
        SignInFailed = signin == "failed";
        if (User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var accessToken = await tokens.GetAccessTokenAsync(cancellationToken);
        Account = accessToken is null
            ? ApiAnswer<CallerView>.SignInAgain
            : await api.GetMeAsync(accessToken, cancellationToken);
    }
}
