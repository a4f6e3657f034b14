using Consent.Portal.AgencyAdmin;
using Consent.Portal.ConsentApi;
using Consent.Portal.Vocabulary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Agency.Mous;

/// <summary>
/// Drafts an MOU: the admin's agency and the agencies it invites, the purposes and kinds of records it covers, which
/// way records may flow, and its dates. The API decides whether the terms are valid; what it refuses is shown beside
/// the field, with everything typed kept. A draft then gets its document and goes for signature on its own page.
/// </summary>
[ServiceFilter<PurposesOfUseFilter>]
public sealed class NewModel(AgencyMous mous, TimeProvider time) : PageModel
{
    public const string Mutual = "mutual";
    public const string OneWay = "one-way";

    public DraftForm Form { get; private set; } = new();

    public string? OwnAgency { get; private set; }

    public ApiAnswer<List<DirectoryAgency>> Agencies { get; private set; } = ApiAnswer<List<DirectoryAgency>>.Unavailable;

    public ApiAnswer<List<DataCategory>> Categories { get; private set; } = ApiAnswer<List<DataCategory>>.Unavailable;

    /// <summary>Why the draft was not saved; null when nothing was posted.</summary>
    public ApiProblem? Problem { get; private set; }

    /// <summary>A field the portal itself found missing before asking the API (which way records flow).</summary>
    public string? MissingSource { get; private set; }

    public bool PostUnavailable { get; private set; }

    /// <summary>The page answers a post: the form is shown again with what was sent, whatever else fails.</summary>
    public bool Posted { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var today = new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        Form = new DraftForm { EffectiveFrom = AgencyDisplay.DateInput(today), ExpiresAt = AgencyDisplay.DateInput(today.AddYears(1)) };
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync([FromForm] DraftForm form, CancellationToken cancellationToken)
    {
        Form = form;
        Posted = true;
        OwnAgency = AgencyDisplay.OwnAgency(User);
        var parties = new List<string>();
        if (OwnAgency is not null)
        {
            parties.Add(OwnAgency);
        }

        parties.AddRange(form.Parties.Where(party => !string.IsNullOrWhiteSpace(party)));
        parties = [.. parties.Distinct(StringComparer.Ordinal)];

        List<MouFlow>? flows = null;
        if (form.Direction == OneWay)
        {
            if (string.IsNullOrWhiteSpace(form.Source))
            {
                MissingSource = "source";
                Response.StatusCode = StatusCodes.Status400BadRequest;
                await LoadAsync(cancellationToken);
                return Page();
            }

            flows = [.. parties.Where(party => party != form.Source).Select(party => new MouFlow(form.Source, party))];
        }

        var draft = new DraftMou(form.Title, parties, flows, form.Purposes, form.Categories,
            AgencyDisplay.ParseDate(form.EffectiveFrom), AgencyDisplay.ParseDate(form.ExpiresAt), form.AllowsEmergencyAccess);
        var answer = await mous.DraftAsync(draft, cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } mou })
        {
            return Redirect($"/agency/mous/{mou.Id:D}?done=drafted");
        }

        if (answer.Status is ApiStatus.SignInAgain)
        {
            return Redirect(Consent.Portal.SignIn.PortalPaths.SignIn + "?returnUrl=/agency/mous/new");
        }

        Problem = answer.Problem;
        PostUnavailable = answer.Status is ApiStatus.Unavailable;
        Response.StatusCode = answer.Status is ApiStatus.Refused ? answer.Problem!.Status : StatusCodes.Status503ServiceUnavailable;
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>The localized reasons the API gave against one field of the form.</summary>
    public IReadOnlyList<string> ErrorKeysFor(string field)
    {
        if (field == "direction" && MissingSource is not null)
        {
            return ["Error_ChooseSource"];
        }

        if (Problem is null)
        {
            return [];
        }

        return (Problem.Type, field) switch
        {
            ("invalid-request", _) when Problem.HasErrorFor(field) => ["Error_" + field],
            ("mou-needs-two-parties", "parties") => ["Error_NeedsTwoParties"],
            ("mou-not-a-party", "parties") => ["Error_NotAParty"],
            ("unknown-agency", "parties") => ["Error_UnknownAgency"],
            ("mou-flow-outside-parties", "direction") => ["Error_FlowOutsideParties"],
            ("unknown-category", "categories") => ["Error_UnknownCategory"],
            ("unknown-purpose", "purposes") => ["Error_UnknownPurpose"],
            ("end-before-start", "expiresAt") => ["Error_EndBeforeStart"],
            _ => [],
        };
    }

    /// <summary>A refusal that belongs to no field (a role that may not draft, an unreadable request).</summary>
    public string? GeneralErrorKey => Problem?.Type switch
    {
        null => null,
        "forbidden" or "read-only" => "Error_MayNotDraft",
        "invalid-request" or "mou-needs-two-parties" or "mou-not-a-party" or "unknown-agency" or "mou-flow-outside-parties" or
            "unknown-category" or "unknown-purpose" or "end-before-start" => "DraftNotSaved",
        _ => "DraftNotSavedOther",
    };

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        OwnAgency = AgencyDisplay.OwnAgency(User);
        Agencies = await mous.AgenciesAsync(cancellationToken);
        Categories = await mous.CategoriesAsync(cancellationToken);
        if (Agencies.Status is not ApiStatus.Ok && Response.StatusCode == StatusCodes.Status200OK)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }

    public sealed class DraftForm
    {
        public string? Title { get; set; }

        /// <summary>The other agencies invited (the admin's own agency is always a party).</summary>
        public List<string> Parties { get; set; } = [];

        public string Direction { get; set; } = Mutual;

        /// <summary>For a one-way MOU: the agency whose records flow to the others.</summary>
        public string? Source { get; set; }

        public List<string> Purposes { get; set; } = [];

        public List<string> Categories { get; set; } = [];

        public string? EffectiveFrom { get; set; }

        public string? ExpiresAt { get; set; }

        public bool AllowsEmergencyAccess { get; set; }
    }
}
