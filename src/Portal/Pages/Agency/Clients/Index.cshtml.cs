using Consent.Portal.AgencyAdmin;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Agency.Clients;

/// <summary>
/// The agency's systems registered at the identity provider (a case-management system, an EHR): register one with its
/// public key, give one a new key, remove one. The provider decides what it accepts; its refusals are shown beside the
/// field. Keys are public keys only: a private key pasted by mistake is refused here and never sent on or kept.
/// </summary>
public sealed class IndexModel(AgencySystems systems, AgencyMous mous) : PageModel
{
    public const string ReadOnly = "read";
    public const string ReadWrite = "read-write";

    public ApiAnswer<List<AgencySystem>> Systems { get; private set; } = ApiAnswer<List<AgencySystem>>.Unavailable;

    /// <summary>Agencies a platform admin registers systems for (agency admins register for their own agency).</summary>
    public IReadOnlyList<DirectoryAgency> Agencies { get; private set; } = [];

    public IReadOnlyDictionary<string, string> AgencyNames { get; private set; } = new Dictionary<string, string>();

    public string? OwnAgency { get; private set; }

    public RegisterForm Register { get; private set; } = new();

    /// <summary>The system whose form was posted and refused (a new key or removal), with what was typed.</summary>
    public string? FailedClientId { get; private set; }

    public string? FailedStep { get; private set; }

    public ApiProblem? Problem { get; private set; }

    public PastedKeyProblem KeyProblem { get; private set; }

    public string? LocalErrorKey { get; private set; }

    /// <summary>The new key typed for <see cref="FailedClientId"/>, kept when refused (never a private key).</summary>
    public string? PostedKey { get; private set; }

    public bool StepUnavailable { get; private set; }

    /// <summary>What was just done, and to which system (after the redirect that follows success).</summary>
    public string? Done { get; private set; }

    public string? DoneClientId { get; private set; }

    public async Task OnGetAsync(string? done, string? client, CancellationToken cancellationToken)
    {
        Done = done is "registered" or "rekeyed" or "removed" ? done : null;
        DoneClientId = Done is null ? null : client;
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRegisterAsync([FromForm] RegisterForm form, CancellationToken cancellationToken)
    {
        Register = form;
        OwnAgency = AgencyDisplay.OwnAgency(User);
        var agencyId = OwnAgency ?? form.AgencyId;
        KeyProblem = PublicKeyText.TryRead(form.PublicKey, out var jwk);
        if (KeyProblem is not PastedKeyProblem.None)
        {
            // A private key pasted by mistake is not shown back either.
            Register.PublicKey = KeyProblem is PastedKeyProblem.PrivateKey ? null : form.PublicKey;
            return await FailedAsync("register", null, StatusCodes.Status400BadRequest, cancellationToken);
        }

        IReadOnlyList<string> scopes = form.Access == ReadWrite ? ["system/*.rs", "system/*.cruds"] : ["system/*.rs"];
        var answer = await systems.RegisterAsync(
            new RegisterAgencySystem(agencyId ?? "", string.IsNullOrWhiteSpace(form.ClientId) ? null : form.ClientId.Trim(),
                string.IsNullOrWhiteSpace(form.DisplayName) ? null : form.DisplayName.Trim(), jwk!, scopes),
            cancellationToken);
        return await AfterAsync("register", null, answer.Status, answer.Problem, answer.Value?.ClientId, "registered", cancellationToken);
    }

    public async Task<IActionResult> OnPostKeyAsync(string clientId, string? publicKey, CancellationToken cancellationToken)
    {
        KeyProblem = PublicKeyText.TryRead(publicKey, out var jwk);
        PostedKey = KeyProblem is PastedKeyProblem.PrivateKey ? null : publicKey;
        if (KeyProblem is not PastedKeyProblem.None)
        {
            return await FailedAsync("key", clientId, StatusCodes.Status400BadRequest, cancellationToken);
        }

        var answer = await systems.ReplaceKeyAsync(clientId, new ReplaceAgencySystemKey(jwk!), cancellationToken);
        return await AfterAsync("key", clientId, answer.Status, answer.Problem, clientId, "rekeyed", cancellationToken);
    }

    public async Task<IActionResult> OnPostRemoveAsync(string clientId, bool confirm, CancellationToken cancellationToken)
    {
        if (!confirm)
        {
            LocalErrorKey = "Error_ConfirmRemove";
            return await FailedAsync("remove", clientId, StatusCodes.Status400BadRequest, cancellationToken);
        }

        var answer = await systems.RemoveAsync(clientId, cancellationToken);
        return await AfterAsync("remove", clientId, answer.Status, answer.Problem, clientId, "removed", cancellationToken);
    }

    /// <summary>The localized reasons against one field of a form (register, key or remove) for a system, if that form was refused.</summary>
    public IReadOnlyList<string> ErrorKeysFor(string step, string? clientId, string field)
    {
        if (FailedStep != step || (clientId is not null && FailedClientId != clientId))
        {
            return [];
        }

        if (field == "publicKey" && KeyProblem is not PastedKeyProblem.None)
        {
            return ["Error_Key" + KeyProblem];
        }

        if (LocalErrorKey is not null)
        {
            return field == "confirm" ? [LocalErrorKey] : [];
        }

        if (Problem is null)
        {
            return [];
        }

        return (Problem.Status, field) switch
        {
            (StatusCodes.Status400BadRequest, "publicKey") when Problem.HasErrorFor("publicJwk") => ["Error_KeyRefused"],
            (StatusCodes.Status400BadRequest, "clientId") when Problem.HasErrorFor("clientId") => ["Error_ClientId"],
            (StatusCodes.Status400BadRequest, "agencyId") when Problem.HasErrorFor("agencyId") => ["Error_AgencyId"],
            (StatusCodes.Status400BadRequest, "access") when Problem.HasErrorFor("scopes") => ["Error_Scopes"],
            _ => [],
        };
    }

    /// <summary>The provider's own words for a refused key (which kinds of key it takes), shown under the portal's.</summary>
    public IReadOnlyList<string> ProviderKeyMessages(string step, string? clientId) =>
        FailedStep == step && (clientId is null || FailedClientId == clientId) && Problem?.Errors.TryGetValue("publicJwk", out var messages) == true
            ? messages
            : [];

    /// <summary>A refusal that belongs to no field.</summary>
    public string? GeneralErrorKey(string step, string? clientId)
    {
        if (FailedStep != step || (clientId is not null && FailedClientId != clientId))
        {
            return null;
        }

        if (StepUnavailable)
        {
            return "StepNotSavedApiDown";
        }

        return Problem?.Status switch
        {
            null => null,
            StatusCodes.Status404NotFound => "Error_SystemGone",
            StatusCodes.Status403Forbidden => "Error_SystemNotYours",
            _ => "SystemNotSaved",
        };
    }

    private async Task<IActionResult> AfterAsync(string step, string? clientId, ApiStatus status, ApiProblem? problem, string? doneClientId, string done,
        CancellationToken cancellationToken)
    {
        if (status is ApiStatus.Ok)
        {
            return Redirect($"/agency/clients?done={done}&client={Uri.EscapeDataString(doneClientId ?? "")}");
        }

        if (status is ApiStatus.SignInAgain)
        {
            return Redirect(Consent.Portal.SignIn.PortalPaths.SignIn + "?returnUrl=/agency/clients");
        }

        Problem = problem;
        StepUnavailable = status is ApiStatus.Unavailable;
        return await FailedAsync(step, clientId, status is ApiStatus.Refused ? problem!.Status : StatusCodes.Status503ServiceUnavailable,
            cancellationToken);
    }

    private async Task<IActionResult> FailedAsync(string step, string? clientId, int statusCode, CancellationToken cancellationToken)
    {
        FailedStep = step;
        FailedClientId = clientId;
        await LoadAsync(cancellationToken);
        Response.StatusCode = statusCode;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        OwnAgency = AgencyDisplay.OwnAgency(User);
        Systems = await systems.ListAsync(cancellationToken);
        var agencies = await mous.AgenciesAsync(cancellationToken);
        Agencies = agencies.Value?.Where(agency => agency.Active).OrderBy(agency => agency.Name).ToList() ?? [];
        AgencyNames = AgencyDisplay.Names(agencies.Value);
        if (Systems.Status is ApiStatus.Unavailable)
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }

    public sealed class RegisterForm
    {
        public string? DisplayName { get; set; }

        public string? ClientId { get; set; }

        /// <summary>Only a platform admin chooses; an agency admin registers for their own agency.</summary>
        public string? AgencyId { get; set; }

        public string? PublicKey { get; set; }

        public string Access { get; set; } = ReadOnly;
    }
}
