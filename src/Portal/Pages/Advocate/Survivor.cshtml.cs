using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// One survivor's page: their record (language, age, who decides for a minor), their grants, the requests waiting for
/// them and their child-protection cases, with a form under each open case to close it.
/// </summary>
public sealed class SurvivorModel(ConsentApiClient api, IStringLocalizer<AdvocateStrings> text, ILogger<SurvivorModel> logger)
    : SurvivorPageModel(api, text, logger)
{
    public ApiAnswer<List<GrantView>> Grants { get; private set; } = ApiAnswer<List<GrantView>>.Unavailable;

    public ApiAnswer<List<StatutoryBasisEntry>> Cases { get; private set; } = ApiAnswer<List<StatutoryBasisEntry>>.Unavailable;

    public ApiAnswer<List<ConsentRequestEntry>> Requests { get; private set; } = ApiAnswer<List<ConsentRequestEntry>>.Unavailable;

    /// <summary>What was just saved (the redirect after a form), shown as a confirmation.</summary>
    public string? Done { get; private set; }

    /// <summary>The case whose closing was refused or could not be sent, with why.</summary>
    public CloseForm? PostedClose { get; private set; }

    public AdvocateRefusal? CloseRefusal { get; private set; }

    public ApiStatus? CloseNotDone { get; private set; }

    public async Task OnGetAsync(string survivorId, string? done, CancellationToken cancellationToken)
    {
        Done = done is "enrolled" or "decision-maker" or "consent" or "approved" or "declined" or "report" or "closed" ? done : null;
        await LoadAsync(survivorId, cancellationToken);
    }

    public async Task<IActionResult> OnPostCloseAsync(string survivorId, [FromForm] CloseForm form, CancellationToken cancellationToken)
    {
        SurvivorId = survivorId;
        var answer = await Api.CloseCaseAsync(survivorId, form.CaseId, new CloseCaseBody(string.IsNullOrWhiteSpace(form.Reason) ? null : form.Reason.Trim()),
            cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            AdvocateLog.CaseClosed(Logger, form.CaseId, survivorId);
            return BackToSurvivor("closed");
        }

        LogNotDone("case closing", answer.Status, answer.Problem);
        PostedClose = form;
        if (answer is { Status: ApiStatus.Refused, Problem: { } problem })
        {
            CloseRefusal = AdvocateRefusal.Of(problem, Text, fieldOfError: new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = "close-reason" });
            CloseRefusal.AnchorSuffix = "-" + form.CaseId.ToString("N");
        }
        else
        {
            CloseNotDone = answer.Status;
        }

        await LoadAsync(survivorId, cancellationToken);
        Response.StatusCode = answer.FailureStatusCode;
        return Page();
    }

    private async Task LoadAsync(string survivorId, CancellationToken cancellationToken)
    {
        await LoadSurvivorAsync(survivorId, cancellationToken);
        if (!Found)
        {
            return;
        }

        Grants = await Api.GrantsAsync(survivorId, cancellationToken);
        Cases = await Api.CasesAsync(survivorId, cancellationToken);
        Requests = await Api.RequestsAsync(survivorId, cancellationToken);
    }

    public sealed class CloseForm
    {
        public Guid CaseId { get; set; }

        public string? Reason { get; set; }
    }
}
