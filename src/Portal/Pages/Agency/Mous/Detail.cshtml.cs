using Consent.Portal.AgencyAdmin;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Agency.Mous;

/// <summary>
/// One MOU: its terms, who has signed, its document, and the next step for the admin's agency (upload the document and
/// send the draft for signature, sign the document shown, or end the MOU). Each step posts to the portal, which asks the
/// API; the API decides whether the step is allowed now, and its refusal is shown beside the form.
/// </summary>
public sealed class DetailModel(AgencyMous mous, TimeProvider time, IConfiguration configuration) : PageModel
{
    public const string StepDocument = "document";
    public const string StepSubmit = "submit";
    public const string StepSign = "sign";
    public const string StepTerminate = "terminate";

    [FromRoute]
    public Guid MouId { get; set; }

    public ApiAnswer<Mou> Mou { get; private set; } = ApiAnswer<Mou>.Unavailable;

    public IReadOnlyDictionary<string, string> AgencyNames { get; private set; } = new Dictionary<string, string>();

    public string? OwnAgency { get; private set; }

    public DateTimeOffset Now { get; private set; }

    /// <summary>What was just done (after the redirect that follows a successful step).</summary>
    public string? Done { get; private set; }

    /// <summary>The step just posted that did not go through, with the API's answer (or the portal's own check).</summary>
    public string? FailedStep { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public string? LocalErrorKey { get; private set; }

    public bool StepUnavailable { get; private set; }

    public string? TerminationReason { get; private set; }

    /// <summary>The largest document the portal takes in one upload (its request size limit, less room for the form).</summary>
    public long MaxDocumentBytes => Math.Max(1024, (configuration.GetValue<long?>("Kestrel:Limits:MaxRequestBodySize") ?? 1_048_576) - 4096);

    public async Task<IActionResult> OnGetAsync(string? done, CancellationToken cancellationToken)
    {
        Done = done is "drafted" or StepDocument or StepSubmit or StepSign or StepTerminate ? done : null;
        await LoadAsync(cancellationToken);
        return MouPage();
    }

    /// <summary>The MOU's document as the API keeps it, to read before signing.</summary>
    public async Task<IActionResult> OnGetDocumentAsync(CancellationToken cancellationToken)
    {
        var answer = await mous.DocumentAsync(MouId, cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } file })
        {
            return File(file.Content, file.ContentType, file.FileName ?? $"mou-{MouId:N}{(file.ContentType == "application/pdf" ? ".pdf" : "")}");
        }

        await LoadAsync(cancellationToken);
        FailedStep = "download";
        Problem = answer.Problem;
        StepUnavailable = answer.Status is ApiStatus.Unavailable;
        return MouPage(answer.Status);
    }

    public async Task<IActionResult> OnPostDocumentAsync(IFormFile? document, CancellationToken cancellationToken)
    {
        if (document is null || document.Length == 0)
        {
            return await RefusedLocallyAsync(StepDocument, "Error_DocumentMissing", cancellationToken);
        }

        if (document.Length > MaxDocumentBytes)
        {
            return await RefusedLocallyAsync(StepDocument, "Error_DocumentTooLarge", cancellationToken);
        }

        using var buffer = new MemoryStream();
        await document.CopyToAsync(buffer, cancellationToken);
        var content = buffer.ToArray();
        var isPdf = content.AsSpan().StartsWith("%PDF-"u8);
        return await AfterAsync(StepDocument, await mous.AttachDocumentAsync(MouId, content, isPdf, cancellationToken), cancellationToken);
    }

    public async Task<IActionResult> OnPostSubmitAsync(CancellationToken cancellationToken) =>
        await AfterAsync(StepSubmit, await mous.SubmitAsync(MouId, cancellationToken), cancellationToken);

    public async Task<IActionResult> OnPostSignAsync(string? documentSha256, bool confirm, CancellationToken cancellationToken)
    {
        if (!confirm)
        {
            return await RefusedLocallyAsync(StepSign, "Error_ConfirmSign", cancellationToken);
        }

        return await AfterAsync(StepSign, await mous.SignAsync(MouId, documentSha256, cancellationToken), cancellationToken);
    }

    public async Task<IActionResult> OnPostTerminateAsync(string? reason, bool confirm, CancellationToken cancellationToken)
    {
        TerminationReason = reason;
        if (!confirm)
        {
            return await RefusedLocallyAsync(StepTerminate, "Error_ConfirmTerminate", cancellationToken);
        }

        return await AfterAsync(StepTerminate, await mous.TerminateAsync(MouId, string.IsNullOrWhiteSpace(reason) ? null : reason, cancellationToken),
            cancellationToken);
    }

    /// <summary>The next step this admin's agency may take, as far as the page can tell (the API has the last word).</summary>
    public bool Offers(Mou mou, string step)
    {
        var own = mou.PartyFor(OwnAgency);
        return step switch
        {
            StepDocument or StepSubmit => mou.Status is MouStatus.Draft && own is not null,
            StepSign => mou.Status is MouStatus.PendingSignature && own is { HasSigned: false },
            StepTerminate => mou.Status is not (MouStatus.Expired or MouStatus.Terminated) && own is not null,
            _ => false,
        };
    }

    /// <summary>The localized reason a step was refused, for the step's own form.</summary>
    public string? ErrorKeyFor(string step)
    {
        if (FailedStep != step)
        {
            return null;
        }

        if (LocalErrorKey is not null)
        {
            return LocalErrorKey;
        }

        if (StepUnavailable)
        {
            return "StepNotSavedApiDown";
        }

        return Problem?.Type switch
        {
            "mou-document-missing" => "Error_DocumentMissingForSubmit",
            "mou-not-editable" => "Error_NotEditable",
            "mou-document-mismatch" => "Error_DocumentChanged",
            "mou-not-pending-signature" => "Error_NotPendingSignature",
            "mou-already-signed" => "Error_AlreadySigned",
            "mou-already-ended" => "Error_AlreadyEnded",
            "empty-document" => "Error_DocumentMissing",
            "request-too-large" => "Error_DocumentTooLarge",
            "forbidden" or "read-only" => "Error_NotYourStep",
            "mou-not-found" => "Error_MouGone",
            _ => "StepNotSaved",
        };
    }

    private async Task<IActionResult> AfterAsync(string step, ApiAnswer<Mou> answer, CancellationToken cancellationToken)
    {
        if (answer.Status is ApiStatus.Ok)
        {
            return Redirect($"/agency/mous/{MouId:D}?done={step}");
        }

        if (answer.Status is ApiStatus.SignInAgain)
        {
            return Redirect($"{PortalPathsSignIn}?returnUrl=/agency/mous/{MouId:D}");
        }

        FailedStep = step;
        Problem = answer.Problem;
        StepUnavailable = answer.Status is ApiStatus.Unavailable;
        await LoadAsync(cancellationToken);
        var page = MouPage();
        Response.StatusCode = answer.Status is ApiStatus.Refused ? answer.Problem!.Status : StatusCodes.Status503ServiceUnavailable;
        return page;
    }

    private async Task<IActionResult> RefusedLocallyAsync(string step, string errorKey, CancellationToken cancellationToken)
    {
        FailedStep = step;
        LocalErrorKey = errorKey;
        await LoadAsync(cancellationToken);
        var page = MouPage();
        if (Mou.Status is ApiStatus.Ok)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        return page;
    }

    private IActionResult MouPage(ApiStatus? status = null)
    {
        Response.StatusCode = (status ?? Mou.Status) switch
        {
            ApiStatus.Refused => StatusCodes.Status404NotFound,
            ApiStatus.Unavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status200OK,
        };
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        OwnAgency = AgencyDisplay.OwnAgency(User);
        Mou = await mous.GetAsync(MouId, cancellationToken);
        if (Mou.Status is ApiStatus.Ok)
        {
            AgencyNames = AgencyDisplay.Names((await mous.AgenciesAsync(cancellationToken)).Value);
        }
    }

    private const string PortalPathsSignIn = Consent.Portal.SignIn.PortalPaths.SignIn;
}
