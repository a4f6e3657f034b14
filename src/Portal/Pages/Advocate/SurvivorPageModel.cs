using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// What every page about one survivor shares: the survivor as the API shows them to this advocate (a survivor of
/// another agency, or one whose deny list names the advocate, is "not found", exactly like an unknown id), the response
/// status that mirrors the API's answer, and the agencies directory for names.
/// </summary>
public abstract class SurvivorPageModel(ConsentApiClient api, IStringLocalizer<AdvocateStrings> text, ILogger logger) : PageModel
{
    protected ConsentApiClient Api { get; } = api;

    protected IStringLocalizer<AdvocateStrings> Text { get; } = text;

    protected ILogger Logger { get; } = logger;

    /// <summary>The pseudonymous id from the route (never a name or anything else about the person).</summary>
    public string SurvivorId { get; protected set; } = "";

    public ApiAnswer<AdvocateSurvivorView> Survivor { get; private set; } = ApiAnswer<AdvocateSurvivorView>.Unavailable;

    /// <summary>Agency ids and names; empty when the directory could not be read (ids are shown then).</summary>
    public IReadOnlyDictionary<string, string> AgencyNames { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<AgencyEntry> ActiveAgencies { get; private set; } = [];

    /// <summary>Why the API refused the form's change, said beside the fields it names.</summary>
    public AdvocateRefusal? Refusal { get; private set; }

    /// <summary>Why the change was not made when the API did not refuse it (down, the session to renew).</summary>
    public ApiStatus? NotDone { get; private set; }

    /// <summary>The survivor could be read: the page's own content may be shown.</summary>
    public bool Found => Survivor.Status is ApiStatus.Ok;

    public string AgencyName(string id) => AdvocateDisplay.Agency(AgencyNames, id);

    /// <summary>Reads the survivor and the directory; sets the status of the page when the survivor cannot be shown.</summary>
    protected async Task LoadSurvivorAsync(string survivorId, CancellationToken cancellationToken)
    {
        SurvivorId = survivorId;
        Survivor = await Api.SurvivorAsync(survivorId, cancellationToken);
        MirrorStatus(Survivor.Status, Survivor.Problem);
        if (Survivor.Status is ApiStatus.Ok)
        {
            var agencies = await Api.AgenciesAsync(cancellationToken);
            if (agencies is { Status: ApiStatus.Ok, Value: { } list })
            {
                AgencyNames = list.ToDictionary(a => a.Id, a => a.Name, StringComparer.Ordinal);
                ActiveAgencies = [.. list.Where(a => a.Active).OrderBy(a => a.Name, StringComparer.CurrentCulture)];
            }
        }
    }

    /// <summary>The page answers with the status of the API's answer: not found 404, refused as refused, down 503.</summary>
    protected void MirrorStatus(ApiStatus status, ApiProblem? problem)
    {
        Response.StatusCode = status switch
        {
            ApiStatus.Ok or ApiStatus.SignInAgain => Response.StatusCode,
            ApiStatus.Refused => problem?.Status ?? StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status503ServiceUnavailable,
        };
    }

    /// <summary>
    /// The form again after the API did not make the change (the page's data loaded again first): a refusal, worded by
    /// <paramref name="refusal"/>, beside the fields, or a notice of why nothing was done; the page's status mirrors the
    /// API's answer when the survivor could be shown.
    /// </summary>
    protected PageResult NotDonePage(ApiStatus status, ApiProblem? problem, Func<ApiProblem, AdvocateRefusal> refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (status is ApiStatus.Refused && problem is not null)
        {
            Refusal = refusal(problem);
        }
        else
        {
            NotDone = status;
        }

        if (Found)
        {
            MirrorStatus(status, problem);
        }

        return Page();
    }

    /// <summary>The survivor's page, after a change was saved (post, redirect, get).</summary>
    protected Microsoft.AspNetCore.Mvc.RedirectResult BackToSurvivor(string done) =>
        Redirect($"/advocate/survivors/{Uri.EscapeDataString(SurvivorId)}?done={Uri.EscapeDataString(done)}");

    protected void LogNotDone(string action, ApiStatus status, ApiProblem? problem) =>
        AdvocateLog.Refused(Logger, action, SurvivorId, status, problem?.Type ?? "none");
}
