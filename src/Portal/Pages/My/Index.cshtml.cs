using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.My;

/// <summary>
/// "My sharing": every agency that may see something of the survivor's records now, on a grant of theirs or an open
/// child-protection case, and a way to stop each grant. Stopping asks once more on a plain confirmation (a second form,
/// no script), then the API revokes and the page comes back without the grant.
/// </summary>
public sealed partial class IndexModel(ConsentApiClient client, ILogger<IndexModel> logger) : PageModel
{
    public ApiAnswer<List<GrantEntry>> Grants { get; private set; } = ApiAnswer<List<GrantEntry>>.Unavailable;

    public List<StatutoryBasisEntry> Cases { get; private set; } = [];

    public List<AgencyEntry> Agencies { get; private set; } = [];

    public List<CategoryEntry> Categories { get; private set; } = [];

    /// <summary>The grant the survivor asked to stop, shown with the confirmation.</summary>
    public GrantEntry? Confirming { get; private set; }

    /// <summary>Why the revocation did not happen, when it did not.</summary>
    public ApiAnswer<GrantEntry>? Refused { get; private set; }

    /// <summary>The grant the wizard has just created (an opaque id from the redirect), pointed out in the list.</summary>
    public Guid? Granted { get; private set; }

    public bool Revoked { get; private set; }

    public async Task OnGetAsync(Guid? granted, string? revoked, CancellationToken cancellationToken)
    {
        Granted = granted;
        Revoked = revoked == "1";
        await LoadAsync(cancellationToken);
        if (Grants.Status is ApiStatus.Unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }

    /// <summary>First click: show what stopping means, and ask.</summary>
    public async Task<IActionResult> OnPostAskRevokeAsync([FromForm] Guid grantId, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Confirming = Grants.Value?.FirstOrDefault(g => g.Id == grantId && g.InForce);
        if (Grants.Status is ApiStatus.Ok && Confirming is null)
        {
            // Already stopped (another tab) or not the survivor's: nothing to confirm.
            return RedirectToPage();
        }

        if (Grants.Status is ApiStatus.Unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        return Page();
    }

    /// <summary>Second click: the API revokes at once.</summary>
    public async Task<IActionResult> OnPostRevokeAsync([FromForm] Guid grantId, CancellationToken cancellationToken)
    {
        var api = new SurvivorApi(client, User);
        var answer = await api.RevokeAsync(grantId, cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            LogRevoked(logger, grantId);
            return RedirectToPage(new { revoked = "1" });
        }

        Refused = answer;
        await LoadAsync(cancellationToken);
        Confirming = Grants.Value?.FirstOrDefault(g => g.Id == grantId && g.InForce);
        Response.StatusCode = answer.FailureStatusCode;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var api = new SurvivorApi(client, User);
        Grants = await api.GrantsAsync(cancellationToken);
        if (Grants.Status is not ApiStatus.Ok)
        {
            return;
        }

        // The names and words around the grants; without them the page still lists the grants.
        Agencies = (await api.AgenciesAsync(cancellationToken)).Value ?? [];
        Categories = (await api.CategoriesAsync(cancellationToken)).Value ?? [];
        Cases = (await api.StatutoryBasesAsync(cancellationToken)).Value?.Where(c => c.Open).ToList() ?? [];
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Survivor revoked consent grant {GrantId} in the portal")]
    private static partial void LogRevoked(ILogger logger, Guid grantId);
}
