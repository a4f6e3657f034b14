using Consent.Portal.ConsentApi;
using Consent.Portal.Vocabulary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.My;

/// <summary>
/// The grant wizard, step by step without script: who (the agency), what (kinds of records, the sensitive ones apart and
/// off), why and for how long, whose records, then a preview with the consent text to confirm. Every step is a POSTed
/// form that carries the earlier choices in hidden fields, so nothing chosen appears in a URL. The API decides: its
/// refusal of the grant is shown beside the choice it concerns, with a way back to that step.
/// </summary>
[ServiceFilter<PurposesOfUseFilter>]
public sealed partial class ShareModel(ConsentApiClient client, TimeProvider time, ILogger<ShareModel> logger) : PageModel
{
    public const int StepAgency = 1;
    public const int StepWhat = 2;
    public const int StepWhy = 3;
    public const int StepSources = 4;
    public const int StepConfirm = 5;

    [BindProperty]
    public WizardForm Form { get; set; } = new();

    public int Step { get; private set; } = StepAgency;

    /// <summary>Fields the person must still choose (field name → text key), from the portal's own step checks.</summary>
    public Dictionary<string, string> Missing { get; } = new(StringComparer.Ordinal);

    /// <summary>The API's refusal of the grant, when the last confirmation was refused.</summary>
    public ApiAnswer<GrantEntry>? Outcome { get; private set; }

    /// <summary>Which choice the API's refusal concerns: agency, categories, purposes, length, sources, text or general.</summary>
    public string? RefusedField { get; private set; }

    public ApiStatus LoadStatus { get; private set; } = ApiStatus.Unavailable;

    public List<AgencyEntry> Agencies { get; private set; } = [];

    public List<CategoryEntry> Categories { get; private set; } = [];

    public List<ConsentTextEntry> Texts { get; private set; } = [];

    public List<DenyEntry> NeverList { get; private set; } = [];

    /// <summary>The end the survivor chose, counted from now; null for the purposes' usual length (the API's default).</summary>
    public DateTimeOffset? End =>
        int.TryParse(Form.Length, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days is > 0 and <= 3650
            ? time.GetUtcNow().AddDays(days)
            : null;

    /// <summary>
    /// At the last step: what the agency would receive today if the survivor says yes, per source agency and data
    /// category (the most under any of the chosen purposes), as the API decides a real read; null when it could not be asked.
    /// </summary>
    public List<PreviewedRecordsEntry>? Receivable { get; private set; }

    /// <summary>How many of the survivor's records held elsewhere would stay with their agencies.</summary>
    public int Withheld { get; private set; }

    /// <summary>The consent text the confirmation shows and the grant names.</summary>
    public ConsentTextEntry? Text => SurvivorDisplay.TextFor(Texts, Form.Categories);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>A step's form: <paramref name="go"/> names the step to show next (forward checks the step just filled).</summary>
    public async Task<IActionResult> OnPostAsync([FromForm] int? go, [FromForm] string? confirm, CancellationToken cancellationToken)
    {
        Step = Math.Clamp(Form.Step, StepAgency, StepConfirm);
        Form.Clean();
        await LoadAsync(cancellationToken);
        if (LoadStatus is not ApiStatus.Ok)
        {
            return Page();
        }

        if (confirm is not null && Step == StepConfirm)
        {
            return await GrantAsync(cancellationToken);
        }

        var target = Math.Clamp(go ?? Step + 1, StepAgency, StepConfirm);
        if (target > Step || target == StepConfirm)
        {
            // Forward: every step up to the target must be filled (a form posted out of order is sent back to the first gap).
            for (var step = StepAgency; step < target; step++)
            {
                if (!Check(step))
                {
                    Step = step;
                    Response.StatusCode = StatusCodes.Status400BadRequest;
                    return Page();
                }
            }
        }

        Step = target;
        if (Step == StepConfirm)
        {
            await PreviewAsync(cancellationToken);
        }

        return Page();
    }

    /// <summary>Asks the API what the agency would receive, once per chosen purpose; a failure only leaves the list out.</summary>
    private async Task PreviewAsync(CancellationToken cancellationToken)
    {
        var api = new SurvivorApi(client, User);
        var counts = new Dictionary<(string Source, string? Category), int>();
        var withheld = int.MaxValue;
        foreach (var purpose in Form.Purposes)
        {
            var answer = await api.SharingPreviewAsync(new SharingPreviewBody(Form.Agency!, purpose,
                new PreviewGrantBody(Form.Categories, Form.AllSources ? null : Form.Sources)), cancellationToken);
            if (answer.Status is not ApiStatus.Ok || answer.Value is not { } preview)
            {
                return;
            }

            foreach (var shared in preview.Shared)
            {
                counts[(shared.SourceAgencyId, shared.Category)] = Math.Max(counts.GetValueOrDefault((shared.SourceAgencyId, shared.Category)), shared.Records);
            }

            withheld = Math.Min(withheld, preview.Withheld);
        }

        Receivable = [.. counts.OrderBy(c => c.Key.Source, StringComparer.Ordinal).ThenBy(c => c.Key.Category, StringComparer.Ordinal)
            .Select(c => new PreviewedRecordsEntry(c.Key.Source, c.Key.Category, c.Value))];
        Withheld = withheld == int.MaxValue ? 0 : withheld;
    }

    private async Task<IActionResult> GrantAsync(CancellationToken cancellationToken)
    {
        for (var step = StepAgency; step < StepConfirm; step++)
        {
            if (!Check(step))
            {
                Step = step;
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }
        }

        var api = new SurvivorApi(client, User);
        var body = new GrantBody(Form.Agency, Form.AllSources ? null : Form.Sources, Form.AllSources, Form.Categories, Form.Purposes, End,
            Form.TextId, Form.TextVersion, SurvivorApi.Language(System.Globalization.CultureInfo.CurrentUICulture.Name));
        var answer = await api.GrantAsync(body, cancellationToken);
        if (answer.Status is ApiStatus.Ok && answer.Value is { } grant)
        {
            LogGranted(logger, grant.Id);
            return Redirect("/my?granted=" + grant.Id.ToString("D"));
        }

        Outcome = answer;
        RefusedField = answer.Problem is { } problem ? FieldOf(problem) : null;
        Response.StatusCode = answer.FailureStatusCode;
        return Page();
    }

    /// <summary>Whether a step has what the next needs; what is missing is said beside the step's field.</summary>
    private bool Check(int step)
    {
        switch (step)
        {
            case StepAgency when string.IsNullOrEmpty(Form.Agency) || Agencies.All(a => a.Id != Form.Agency):
                Missing["agency"] = "ChooseAgency";
                return false;
            case StepWhat when Form.Categories.Count == 0:
                Missing["categories"] = "ChooseCategories";
                return false;
            case StepWhy:
                if (Form.Purposes.Count == 0)
                {
                    Missing["purposes"] = "ChoosePurposes";
                }

                if (Form.Length is null || !SurvivorDisplay.Lengths.Contains(Form.Length))
                {
                    Missing["length"] = "ChooseLength";
                }

                return Missing.Count == 0;
            case StepSources when Form.SourcesChoice is not ("all" or "some"):
                Missing["sources"] = "ChooseSources";
                return false;
            case StepSources when Form.SourcesChoice == "some" && Form.Sources.Count == 0:
                Missing["sources"] = "ChooseSourceAgencies";
                return false;
            default:
                return true;
        }
    }

    /// <summary>The choice an API refusal is about, so that it is shown there.</summary>
    private static string FieldOf(ApiProblem problem) => problem.Type switch
    {
        "recipient-on-deny-list" or "unknown-agency" => "agency",
        "unknown-category" or "consent-text-not-part2" => "categories",
        "unknown-purpose" => "purposes",
        "end-too-far" or "end-before-start" or "start-in-the-past" => "length",
        "unknown-consent-text" or "consent-text-superseded" or "unsupported-language" => "text",
        "invalid-request" => problem.Errors.Keys.FirstOrDefault() switch
        {
            "recipientAgencyId" => "agency",
            "categories" => "categories",
            "purposes" => "purposes",
            "sourceAgencyIds" => "sources",
            "end" or "start" => "length",
            "consentTextId" => "text",
            _ => "general",
        },
        _ => "general",
    };

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var api = new SurvivorApi(client, User);
        var agencies = await api.AgenciesAsync(cancellationToken);
        var categories = await api.CategoriesAsync(cancellationToken);
        var texts = await api.ConsentTextsAsync(SurvivorApi.Language(System.Globalization.CultureInfo.CurrentUICulture.Name), cancellationToken);
        var never = await api.DenyListAsync(cancellationToken);
        ApiStatus[] statuses = [agencies.Status, categories.Status, texts.Status, never.Status];
        LoadStatus = statuses.Contains(ApiStatus.SignInAgain) ? ApiStatus.SignInAgain
            : statuses.All(s => s is ApiStatus.Ok) ? ApiStatus.Ok
            : ApiStatus.Unavailable;
        Agencies = agencies.Value?.Where(a => a.Active).ToList() ?? [];
        Categories = categories.Value ?? [];
        Texts = texts.Value ?? [];
        NeverList = never.Value ?? [];
        if (LoadStatus is ApiStatus.Unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }

    /// <summary>Everything chosen so far; posted back by every step.</summary>
    public sealed class WizardForm
    {
        public int Step { get; set; } = StepAgency;

        public string? Agency { get; set; }

        public List<string> Categories { get; set; } = [];

        public List<string> Purposes { get; set; } = [];

        /// <summary><c>usual</c> (the purposes' default length, decided by the API) or a number of days.</summary>
        public string? Length { get; set; }

        /// <summary><c>all</c>: every agency holding records; <c>some</c>: only <see cref="Sources"/>.</summary>
        public string? SourcesChoice { get; set; }

        public List<string> Sources { get; set; } = [];

        public string? TextId { get; set; }

        public string? TextVersion { get; set; }

        public bool AllSources => SourcesChoice == "all";

        /// <summary>Drops empty and repeated values (a hidden field and a checkbox can carry the same one).</summary>
        public void Clean()
        {
            Categories = [.. Categories.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal)];
            Purposes = [.. Purposes.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal)];
            Sources = [.. Sources.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct(StringComparer.Ordinal)];
        }
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Survivor granted consent {GrantId} in the portal")]
    private static partial void LogGranted(ILogger logger, Guid grantId);
}
