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

        // The start page every advocate lands on after signing in answers 200 with the notice when the API is down, as
        // the other roles' start pages do; a refusal keeps its own status.
        if (Survivors is { Status: ApiStatus.Refused, Problem: { } problem })
        {
            Response.StatusCode = problem.Status;
        }
    }
}
