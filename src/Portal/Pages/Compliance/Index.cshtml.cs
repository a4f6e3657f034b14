using Consent.Portal.ConsentApi;
using Consent.Portal.SignIn;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Compliance;

/// <summary>The compliance console's start: the dashboard's counts, the break-glass reads waiting for review first.</summary>
public sealed class IndexModel(UserTokens tokens, ConsentApiClient api) : PageModel
{
    public ApiAnswer<ComplianceDashboard> Dashboard { get; private set; } = ApiAnswer<ComplianceDashboard>.Unavailable;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var accessToken = await tokens.GetAccessTokenAsync(cancellationToken);
        Dashboard = accessToken is null
            ? ApiAnswer<ComplianceDashboard>.SignInAgain
            : await api.GetComplianceDashboardAsync(accessToken, cancellationToken);
    }
}
