using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Compliance;

/// <summary>The compliance console's start: the dashboard's counts, the break-glass reads waiting for review first.</summary>
public sealed class IndexModel(ConsentApiClient api) : PageModel
{
    public ApiAnswer<ComplianceDashboard> Dashboard { get; private set; } = ApiAnswer<ComplianceDashboard>.Unavailable;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Dashboard = await api.GetComplianceDashboardAsync(cancellationToken);
    }
}
