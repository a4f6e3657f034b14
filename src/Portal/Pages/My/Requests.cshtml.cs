using System.Globalization;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.My;

/// <summary>
/// Agencies' requests to see some of the survivor's records. Each waiting request shows what was asked, why and for how
/// long, with the consent text that a yes names; yes and no are each a form that the API answers.
/// </summary>
public sealed partial class RequestsModel(ConsentApiClient client, ILogger<RequestsModel> logger) : PageModel
{
    public ApiAnswer<List<RequestEntry>> Requests { get; private set; } = ApiAnswer<List<RequestEntry>>.Unavailable;

    public List<AgencyEntry> Agencies { get; private set; } = [];

    public List<CategoryEntry> Categories { get; private set; } = [];

    /// <summary>The text a yes names, in the reader's language.</summary>
    public ConsentTextEntry? Text { get; private set; }

    /// <summary>The answer just given (<c>approved</c> or <c>declined</c>), after the redirect.</summary>
    public string? Answered { get; private set; }

    /// <summary>The request whose answer the API refused, and why.</summary>
    public Guid? RefusedRequest { get; private set; }

    public ApiAnswer<RequestEntry>? Outcome { get; private set; }

    public async Task OnGetAsync(string? answered, CancellationToken cancellationToken)
    {
        Answered = answered is "approved" or "declined" ? answered : null;
        await LoadAsync(cancellationToken);
    }

    public Task<IActionResult> OnPostApproveAsync([FromForm] Guid requestId, [FromForm] string? textId, [FromForm] string? textVersion,
        CancellationToken cancellationToken) =>
        AnswerAsync(requestId, "approved", api => api.ApproveAsync(requestId,
            new ApproveBody(textId, textVersion, SurvivorApi.Language(CultureInfo.CurrentUICulture.Name)), cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostDeclineAsync([FromForm] Guid requestId, CancellationToken cancellationToken) =>
        AnswerAsync(requestId, "declined", api => api.DeclineAsync(requestId, new DeclineBody(null), cancellationToken), cancellationToken);

    private async Task<IActionResult> AnswerAsync(Guid requestId, string answer, Func<SurvivorApi, Task<ApiAnswer<RequestEntry>>> send,
        CancellationToken cancellationToken)
    {
        var outcome = await send(new SurvivorApi(client, User));
        if (outcome.Status is ApiStatus.Ok)
        {
            LogAnswered(logger, requestId, answer);
            return RedirectToPage(new { answered = answer });
        }

        RefusedRequest = requestId;
        Outcome = outcome;
        await LoadAsync(cancellationToken);
        Response.StatusCode = outcome.FailureStatusCode;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var api = new SurvivorApi(client, User);
        Requests = await api.RequestsAsync(cancellationToken);
        if (Requests.Status is not ApiStatus.Ok)
        {
            if (Requests.Status is ApiStatus.Unavailable)
            {
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }

            return;
        }

        Agencies = (await api.AgenciesAsync(cancellationToken)).Value ?? [];
        Categories = (await api.CategoriesAsync(cancellationToken)).Value ?? [];
        var texts = (await api.ConsentTextsAsync(SurvivorApi.Language(CultureInfo.CurrentUICulture.Name), cancellationToken)).Value ?? [];
        Text = SurvivorDisplay.ApprovalText(texts);
    }

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Survivor answered consent request {RequestId}: {Answer}")]
    private static partial void LogAnswered(ILogger logger, Guid requestId, string answer);
}
