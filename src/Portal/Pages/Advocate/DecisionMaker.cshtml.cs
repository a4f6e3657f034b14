using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// Records who decides for a minor: a guardian, a custodial agency or a court, named by a handle (never a name), and how
/// that authority was shown. The API decides what a valid decision-maker is.
/// </summary>
public sealed class DecisionMakerModel(ConsentApiClient api, IStringLocalizer<AdvocateStrings> text, ILogger<DecisionMakerModel> logger)
    : SurvivorPageModel(api, text, logger)
{
    public DecisionMakerForm Form { get; private set; } = new();

    public async Task OnGetAsync(string survivorId, CancellationToken cancellationToken)
    {
        await LoadSurvivorAsync(survivorId, cancellationToken);
        if (Survivor.Value?.DecisionMaker is { } maker)
        {
            Form = new DecisionMakerForm { Kind = maker.Kind, Reference = maker.Reference, EstablishedBy = maker.EstablishedBy, AgencyId = maker.AgencyId };
        }
    }

    public async Task<IActionResult> OnPostAsync(string survivorId, [FromForm] DecisionMakerForm form, CancellationToken cancellationToken)
    {
        SurvivorId = survivorId;
        var kind = AdvocateDisplay.DecisionMakerKinds.Contains(form.Kind ?? "") ? form.Kind : null;
        var answer = await Api.SetDecisionMakerAsync(survivorId, new DecisionMakerBody(
            kind, form.Reference?.Trim() ?? "", form.EstablishedBy?.Trim() ?? "", string.IsNullOrWhiteSpace(form.AgencyId) ? null : form.AgencyId), cancellationToken);
        if (answer.Status is ApiStatus.Ok)
        {
            AdvocateLog.DecisionMakerSet(Logger, survivorId);
            return BackToSurvivor("decision-maker");
        }

        LogNotDone("decision-maker", answer.Status, answer.Problem);
        Form = form;
        await LoadSurvivorAsync(survivorId, cancellationToken);
        // A kind the API cannot read at all comes back as a malformed request: it is about the kind.
        return NotDonePage(answer.Status, answer.Problem, refused =>
            AdvocateRefusal.Of(refused, Text, new Dictionary<string, string>(StringComparer.Ordinal) { ["malformed-request"] = "kind" }));
    }

    public sealed class DecisionMakerForm
    {
        public string? Kind { get; set; }

        public string? Reference { get; set; }

        public string? EstablishedBy { get; set; }

        public string? AgencyId { get; set; }
    }
}
