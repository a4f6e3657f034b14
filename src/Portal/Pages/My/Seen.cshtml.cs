using System.Globalization;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.My;

/// <summary>
/// "Who saw my data": the survivor's accounting of disclosures as the API writes it in their language (when, which
/// agency, what kinds of records, why, on what basis), newest first.
/// </summary>
public sealed class SeenModel(ConsentApiClient client) : PageModel
{
    public ApiAnswer<AccountingEntry> Accounting { get; private set; } = ApiAnswer<AccountingEntry>.Unavailable;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Accounting = await new SurvivorApi(client, User).AccountingAsync(SurvivorApi.Language(CultureInfo.CurrentUICulture.Name), cancellationToken);
        if (Accounting.Status is ApiStatus.Unavailable or ApiStatus.Refused)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }
}
