using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// The consent requests agencies have made to a survivor, answered with the survivor present: approving creates the
/// grant the agency asked for (recorded as witnessed or verbal, naming the consent text shown in the survivor's language);
/// declining needs no reason. The API decides, and a refusal is shown beside the request it is about.
/// </summary>
public sealed class RequestsModel(ConsentApiClient api, IStringLocalizer<AdvocateStrings> text, ILogger<RequestsModel> logger)
    : SurvivorPageModel(api, text, logger)
{
    private static readonly Dictionary<string, string> ApproveFieldOfType = new(StringComparer.Ordinal)
    {
        ["verbal-consent-too-long"] = "method",
        ["consent-method-not-allowed"] = "method",
        ["unknown-consent-text"] = "consentText",
        ["consent-text-superseded"] = "consentText",
        ["consent-text-not-part2"] = "consentText",
    };

    private static readonly Dictionary<string, string> ApproveFieldOfError = new(StringComparer.Ordinal)
    {
        ["consentTextId"] = "consentText",
        ["consentTextVersion"] = "consentText",
    };

    public ApiAnswer<List<ConsentRequestEntry>> Requests { get; private set; } = ApiAnswer<List<ConsentRequestEntry>>.Unavailable;

    public ApiAnswer<List<ConsentTextEntry>> Texts { get; private set; } = ApiAnswer<List<ConsentTextEntry>>.Unavailable;

    public ApiAnswer<List<CategoryEntry>> Categories { get; private set; } = ApiAnswer<List<CategoryEntry>>.Unavailable;

    public AnswerForm? Posted { get; private set; }

    public async Task OnGetAsync(string survivorId, CancellationToken cancellationToken)
    {
        await LoadAsync(survivorId, cancellationToken);
    }

    public async Task<IActionResult> OnPostApproveAsync(string survivorId, [FromForm] AnswerForm form, CancellationToken cancellationToken)
    {
        SurvivorId = survivorId;
        var survivor = await Api.SurvivorAsync(survivorId, cancellationToken);
        if (survivor is not { Status: ApiStatus.Ok, Value: { } found })
        {
            return await ShowAgainAsync(survivorId, form, survivor.Status, survivor.Problem, null, cancellationToken);
        }

        var parts = (form.ConsentText ?? "").Split(':', 2);
        var answer = await Api.ApproveAsync(survivorId, form.RequestId, new ApproveRequestBody(
            parts.Length == 2 ? parts[0] : null, parts.Length == 2 ? parts[1] : null, found.PreferredLanguage,
            AdvocateDisplay.Methods.Contains(form.Method ?? "") ? form.Method : null, AllSources: true), cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            AdvocateLog.RequestAnswered(Logger, form.RequestId, survivorId, "approved");
            return BackToSurvivor("approved");
        }

        LogNotDone("request approval", answer.Status, answer.Problem);
        return await ShowAgainAsync(survivorId, form, answer.Status, answer.Problem, ApproveFieldOfType, cancellationToken);
    }

    public async Task<IActionResult> OnPostDeclineAsync(string survivorId, [FromForm] AnswerForm form, CancellationToken cancellationToken)
    {
        SurvivorId = survivorId;
        var answer = await Api.DeclineAsync(survivorId, form.RequestId,
            new DeclineRequestBody(string.IsNullOrWhiteSpace(form.Reason) ? null : form.Reason.Trim()), cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            AdvocateLog.RequestAnswered(Logger, form.RequestId, survivorId, "declined");
            return BackToSurvivor("declined");
        }

        LogNotDone("request decline", answer.Status, answer.Problem);
        return await ShowAgainAsync(survivorId, form, answer.Status, answer.Problem, null, cancellationToken);
    }

    private async Task<IActionResult> ShowAgainAsync(
        string survivorId, AnswerForm form, ApiStatus status, ApiProblem? problem, Dictionary<string, string>? fieldOfType,
        CancellationToken cancellationToken)
    {
        Posted = form;
        await LoadAsync(survivorId, cancellationToken);
        return NotDonePage(status, problem, refused =>
        {
            var refusal = AdvocateRefusal.Of(refused, Text, fieldOfType, ApproveFieldOfError);
            refusal.AnchorSuffix = "-" + form.RequestId.ToString("N");
            return refusal;
        });
    }

    private async Task LoadAsync(string survivorId, CancellationToken cancellationToken)
    {
        await LoadSurvivorAsync(survivorId, cancellationToken);
        if (Survivor is { Status: ApiStatus.Ok, Value: { } survivor })
        {
            Requests = await Api.RequestsAsync(survivorId, cancellationToken);
            Texts = await Api.ConsentTextsAsync(survivor.PreferredLanguage, cancellationToken);
            Categories = await Api.CategoriesAsync(cancellationToken);
        }
    }

    /// <summary>The posted answer for this request, so a refused one keeps what was chosen.</summary>
    public AnswerForm? PostedFor(ConsentRequestEntry request) => Posted?.RequestId == request.Id ? Posted : null;

    public sealed class AnswerForm
    {
        public Guid RequestId { get; set; }

        public string? Method { get; set; }

        /// <summary>The text shown, <c>id:version</c>.</summary>
        public string? ConsentText { get; set; }

        public string? Reason { get; set; }
    }
}
