using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Advocate;

/// <summary>The advocate's start: the survivors the API lets this advocate's agency work with, each opening their page.</summary>
public sealed class IndexModel(ConsentApiClient api) : PageModel
{
    public ApiAnswer<List<AdvocateSurvivorView>> Survivors { get; private set; } = ApiAnswer<List<AdvocateSurvivorView>>.Unavailable;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Survivors = await api.SurvivorsAsync(cancellationToken);
        if (Survivors.Status is ApiStatus.Unavailable or ApiStatus.Refused)
        {
            Response.StatusCode = Survivors.Problem?.Status ?? StatusCodes.Status503ServiceUnavailable;
        }
    }
}
