using Consent.Portal.AgencyAdmin;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Agency.Mous;

/// <summary>The MOUs of the admin's agency (every MOU for a platform admin, as the API decides), newest first.</summary>
public sealed class IndexModel(AgencyMous mous, TimeProvider time) : PageModel
{
    public ApiAnswer<List<Mou>> Mous { get; private set; } = ApiAnswer<List<Mou>>.Unavailable;

    public IReadOnlyDictionary<string, string> AgencyNames { get; private set; } = new Dictionary<string, string>();

    public DateTimeOffset Now { get; private set; }

    public string? OwnAgency { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        OwnAgency = AgencyDisplay.OwnAgency(User);
        Mous = await mous.ListAsync(cancellationToken);
        if (Mous.Status is ApiStatus.Ok)
        {
            AgencyNames = AgencyDisplay.Names((await mous.AgenciesAsync(cancellationToken)).Value);
        }
        else if (Mous.Status is ApiStatus.Unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }

    /// <summary>The MOU waits for this admin's agency to sign.</summary>
    public bool AwaitsOurSignature(Mou mou) => mou.Status is MouStatus.PendingSignature && mou.PartyFor(OwnAgency) is { HasSigned: false };
}
