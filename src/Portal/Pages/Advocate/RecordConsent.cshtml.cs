using System.Globalization;
using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Consent.Portal.Vocabulary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// Records consent the survivor (or, for a minor, the decision-maker) gave in front of the advocate: signed on paper, or
/// said aloud. The consent text is shown in the survivor's language and the grant names it by id and version. The API
/// decides everything else (what a minor needs, how long verbal consent may last, the longest grant per purpose) and
/// its refusal is shown beside the field it is about, with the form as it was filled.
/// </summary>
[ServiceFilter<PurposesOfUseFilter>]
public sealed class RecordConsentModel(ConsentApiClient api, IStringLocalizer<AdvocateStrings> text, ILogger<RecordConsentModel> logger)
    : SurvivorPageModel(api, text, logger)
{
    private static readonly Dictionary<string, string> FieldOfType = new(StringComparer.Ordinal)
    {
        ["verbal-consent-too-long"] = "end",
        ["end-too-far"] = "end",
        ["end-before-start"] = "end",
        ["unknown-consent-text"] = "consentTextId",
        ["consent-text-superseded"] = "consentTextId",
        ["consent-text-not-part2"] = "consentTextId",
        ["unknown-agency"] = "recipientAgencyId",
        ["recipient-on-deny-list"] = "recipientAgencyId",
        ["unknown-category"] = "categories",
        ["unknown-purpose"] = "purposes",
        ["consent-method-not-allowed"] = "method",
    };

    public ConsentForm Form { get; private set; } = new();

    public ApiAnswer<List<CategoryEntry>> Categories { get; private set; } = ApiAnswer<List<CategoryEntry>>.Unavailable;

    public ApiAnswer<List<ConsentTextEntry>> Texts { get; private set; } = ApiAnswer<List<ConsentTextEntry>>.Unavailable;

    public async Task OnGetAsync(string survivorId, CancellationToken cancellationToken)
    {
        await LoadAsync(survivorId, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(string survivorId, [FromForm] ConsentForm form, CancellationToken cancellationToken)
    {
        SurvivorId = survivorId;
        Form = form;
        var survivor = await Api.SurvivorAsync(survivorId, cancellationToken);
        if (survivor is not { Status: ApiStatus.Ok, Value: { } found })
        {
            return await ShowAgainAsync(survivorId, survivor.Status, survivor.Problem, cancellationToken);
        }

        DateTimeOffset? end = null;
        if (!string.IsNullOrWhiteSpace(form.End))
        {
            if (!DateOnly.TryParseExact(form.End.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return await ShowAgainAsync(survivorId, ApiStatus.Refused,
                    new ApiProblem(400, "invalid-request", new Dictionary<string, string[]> { ["end"] = [""] }), cancellationToken);
            }

            end = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        var (textId, textVersion) = SplitText(form.ConsentText);
        var allSources = form.Sources != "chosen";
        var answer = await Api.RecordConsentAsync(survivorId, new RecordConsentBody(
            NullIfEmpty(form.RecipientAgencyId),
            allSources ? null : form.SourceAgencyIds,
            allSources,
            form.Categories,
            form.Purposes,
            end,
            AdvocateDisplay.Methods.Contains(form.Method ?? "") ? form.Method : null,
            textId,
            textVersion,
            found.PreferredLanguage), cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } grant })
        {
            AdvocateLog.ConsentRecorded(Logger, grant.Id, survivorId);
            return BackToSurvivor("consent");
        }

        LogNotDone("consent", answer.Status, answer.Problem);
        return await ShowAgainAsync(survivorId, answer.Status, answer.Problem, cancellationToken);
    }

    private async Task<IActionResult> ShowAgainAsync(string survivorId, ApiStatus status, ApiProblem? problem, CancellationToken cancellationToken)
    {
        await LoadAsync(survivorId, cancellationToken);
        return NotDonePage(status, problem, refused => AdvocateRefusal.Of(refused, Text, FieldOfType, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["consentTextVersion"] = "consentTextId",
        }));
    }

    private async Task LoadAsync(string survivorId, CancellationToken cancellationToken)
    {
        await LoadSurvivorAsync(survivorId, cancellationToken);
        if (Survivor is { Status: ApiStatus.Ok, Value: { } survivor })
        {
            Categories = await Api.CategoriesAsync(cancellationToken);
            Texts = await Api.ConsentTextsAsync(survivor.PreferredLanguage, cancellationToken);
            if (Categories.Status is not ApiStatus.Ok || Texts.Status is not ApiStatus.Ok)
            {
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }
        }
    }

    /// <summary>The text's radio button carries <c>id:version</c>.</summary>
    public static string TextValue(ConsentTextEntry text) => text.Id + ":" + text.Version;

    private static (string? Id, string? Version) SplitText(string? value)
    {
        var parts = (value ?? "").Split(':', 2);
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? (parts[0], parts[1]) : (null, null);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public sealed class ConsentForm
    {
        /// <summary><c>witnessed-paper</c> or <c>verbal</c>.</summary>
        public string? Method { get; set; } = "witnessed-paper";

        public string? RecipientAgencyId { get; set; }

        /// <summary><c>all</c> (every agency holding records) or <c>chosen</c> (the agencies ticked).</summary>
        public string Sources { get; set; } = "all";

        public List<string> SourceAgencyIds { get; set; } = [];

        public List<string> Categories { get; set; } = [];

        public List<string> Purposes { get; set; } = [];

        /// <summary>The last day, as the date field sends it; empty for the usual length of the purposes.</summary>
        public string? End { get; set; }

        /// <summary>The text shown, <c>id:version</c>.</summary>
        public string? ConsentText { get; set; }
    }
}
