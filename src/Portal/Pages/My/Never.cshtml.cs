using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.My;

/// <summary>
/// "Never share with": the survivor's deny list. Naming an agency stops every kind of sharing with it (grants, agreements
/// between agencies, child-protection cases, emergencies: nothing is above it). Adding and removing each ask once more on a
/// plain confirmation before the API is told.
/// </summary>
public sealed partial class NeverModel(ConsentApiClient client, ILogger<NeverModel> logger) : PageModel
{
    public ApiAnswer<List<DenyEntry>> Entries { get; private set; } = ApiAnswer<List<DenyEntry>>.Unavailable;

    public List<AgencyEntry> Agencies { get; private set; } = [];

    /// <summary>The agency chosen to add, waiting for confirmation.</summary>
    public AgencyEntry? ConfirmingAdd { get; private set; }

    /// <summary>The entry chosen to remove, waiting for confirmation.</summary>
    public DenyEntry? ConfirmingRemove { get; private set; }

    /// <summary>The agency field's problem: <c>ChooseAgency</c> (nothing chosen) or the API's refusal.</summary>
    public string? AgencyError { get; private set; }

    public ApiAnswer<DenyEntry>? Outcome { get; private set; }

    /// <summary>What was just done (<c>added</c>, <c>removed</c>), after the redirect.</summary>
    public string? Done { get; private set; }

    /// <summary>The agency chosen in the add form, kept when it must be shown again.</summary>
    public string? ChosenAgency { get; private set; }

    public async Task OnGetAsync(string? done, CancellationToken cancellationToken)
    {
        Done = done is "added" or "removed" ? done : null;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAskAddAsync([FromForm] string? agencyId, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        ChosenAgency = agencyId;
        ConfirmingAdd = Agencies.FirstOrDefault(a => a.Id == agencyId);
        if (Entries.Status is ApiStatus.Ok && ConfirmingAdd is null)
        {
            AgencyError = "ChooseAgencyToBlock";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAddAsync([FromForm] string? agencyId, CancellationToken cancellationToken)
    {
        var answer = await new SurvivorApi(client, User).AddDenyAsync(new DenyBody(agencyId, null, null), cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            LogChanged(logger, answer.Value?.Id, "added");
            return RedirectToPage(new { done = "added" });
        }

        return await RefusedAsync(answer, () =>
        {
            ChosenAgency = agencyId;
            AgencyError = answer.Problem?.Type is { } type ? "Refused_" + type : null;
        }, cancellationToken);
    }

    public async Task<IActionResult> OnPostAskRemoveAsync([FromForm] Guid entryId, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        ConfirmingRemove = Entries.Value?.FirstOrDefault(e => e.Id == entryId);
        return Entries.Status is ApiStatus.Ok && ConfirmingRemove is null ? RedirectToPage() : Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync([FromForm] Guid entryId, CancellationToken cancellationToken)
    {
        var answer = await new SurvivorApi(client, User).RemoveDenyAsync(entryId, cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            LogChanged(logger, entryId, "removed");
            return RedirectToPage(new { done = "removed" });
        }

        return await RefusedAsync(answer, () => { }, cancellationToken);
    }

    public string AgencyName(string? id) => id is null ? "" : SurvivorDisplay.Agency(Agencies, id);

    private async Task<IActionResult> RefusedAsync(ApiAnswer<DenyEntry> answer, Action keep, CancellationToken cancellationToken)
    {
        Outcome = answer;
        await LoadAsync(cancellationToken);
        keep();
        Response.StatusCode = answer.FailureStatusCode;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var api = new SurvivorApi(client, User);
        Entries = await api.DenyListAsync(cancellationToken);
        if (Entries.Status is ApiStatus.Unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        if (Entries.Status is ApiStatus.Ok)
        {
            Agencies = (await api.AgenciesAsync(cancellationToken)).Value ?? [];
        }
    }

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "Survivor's never-share entry {EntryId} {Change} in the portal")]
    private static partial void LogChanged(ILogger logger, Guid? entryId, string change);
}
