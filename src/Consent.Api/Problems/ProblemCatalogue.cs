using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Consent.Api.Problems;

/// <summary>One kind of error the API answers, with its stable <c>type</c> URI (RFC 9457).</summary>
public sealed record ProblemType(string Name, int Status, string Title)
{
    public string Type => ProblemCatalogue.BaseUri + Name;
}

/// <summary>A problem to answer: its catalogued type, an optional detail and per-field errors.</summary>
public sealed record Problem(ProblemType Kind, string? Detail = null, IDictionary<string, string[]>? Errors = null)
{
    public ProblemHttpResult ToResult()
    {
        var details = new ProblemDetails
        {
            Type = Kind.Type,
            Status = Kind.Status,
            Title = Kind.Title,
            Detail = Detail,
        };
        if (Errors is { Count: > 0 })
        {
            details.Extensions["errors"] = Errors;
        }

        return TypedResults.Problem(details);
    }
}

/// <summary>
/// Every error the /api endpoints answer. Details never echo ids or record contents, so a record that
/// belongs to someone else and one that does not exist give byte-for-byte the same body.
/// </summary>
public static class ProblemCatalogue
{
    public const string BaseUri = "https://consent.example/problems/";

    // Request shape
    public static readonly ProblemType InvalidRequest = new("invalid-request", 400, "The request is not valid.");
    public static readonly ProblemType MalformedRequest = new("malformed-request", 400, "The request body could not be read.");
    public static readonly ProblemType ConcurrentChange = new("concurrent-change", 409, "Someone changed this record at the same time; read it again.");
    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", 415, "This content type is not accepted here.");
    public static readonly ProblemType RequestTooLarge = new("request-too-large", 413, "The request body is too large.");
    public static readonly ProblemType TooManyRequests = new("too-many-requests", 429, "Too many requests.");

    // Who may do what
    public static readonly ProblemType TokenNotActive = new("token-not-active", 401, "The access token is no longer active; get a new one.");
    public static readonly ProblemType AgencyInactive = new("agency-inactive", 403, "Your agency is not active on this platform.");
    public static readonly ProblemType IdentityUnavailable =
        new("identity-unavailable", 503, "The identity provider could not be told of the agency's new status, so nothing changed; try again.");
    public static readonly ProblemType ProviderUnavailable = new("provider-unavailable", 503, "Tokens cannot be checked right now; try again later.");
    public static readonly ProblemType Forbidden = new("forbidden", 403, "Your role may not do this.");

    public static readonly ProblemType PlatformAdminOnly =
        new("platform-admin-only", 403, "Only a platform admin changes what the sharing policy reads about an agency (its type and whether it is active).");
    public static readonly ProblemType ReadOnly = new("read-only", 403, "Your role may read these records but not change them.");

    // Not found (also the answer for records that belong to someone else)
    public static readonly ProblemType AgencyNotFound = new("agency-not-found", 404, "No such agency.");
    public static readonly ProblemType SurvivorNotFound = new("survivor-not-found", 404, "No such survivor.");
    public static readonly ProblemType ConsentTextNotFound = new("consent-text-not-found", 404, "No such consent text.");
    public static readonly ProblemType ConsentNotFound = new("consent-not-found", 404, "No such consent grant.");
    public static readonly ProblemType DenyEntryNotFound = new("deny-entry-not-found", 404, "No such deny-list entry.");
    public static readonly ProblemType MouNotFound = new("mou-not-found", 404, "No such MOU.");
    public static readonly ProblemType StatutoryBasisNotFound = new("statutory-basis-not-found", 404, "No such statutory basis.");
    public static readonly ProblemType ConsentRequestNotFound = new("consent-request-not-found", 404, "No such consent request.");
    public static readonly ProblemType BreakGlassNotFound = new("break-glass-not-found", 404, "No such break-glass record.");

    // Agencies and survivors
    public static readonly ProblemType AgencyExists = new("agency-exists", 409, "An agency with this id already exists.");
    public static readonly ProblemType UnknownAgency = new("unknown-agency", 422, "An agency named in the request does not exist or is inactive.");
    public static readonly ProblemType UnsupportedLanguage = new("unsupported-language", 422, "The language is not one the platform supports.");
    public static readonly ProblemType DecisionMakerRequired = new("decision-maker-required", 422, "A minor's consent must be given by the decision-maker on record.");

    // Consent grants
    public static readonly ProblemType UnknownCategory = new("unknown-category", 422, "A data category named in the request is not configured.");
    public static readonly ProblemType UnknownPurpose = new("unknown-purpose", 422, "A purpose of use named in the request is not configured.");
    public static readonly ProblemType UnknownConsentText = new("unknown-consent-text", 422, "The consent text named is not in the catalogue (id, version and language).");
    public static readonly ProblemType ConsentTextSuperseded = new("consent-text-superseded", 422, "A newer version of this consent text must be shown and named.");
    public static readonly ProblemType ConsentTextNotPart2 =
        new("consent-text-not-part2", 422, "A category named needs a consent text with the elements of 42 CFR §2.31; this one has not.");
    public static readonly ProblemType StartInThePast = new("start-in-the-past", 422, "A grant cannot start before it is given (or, when amended, before its own start).");
    public static readonly ProblemType EndBeforeStart = new("end-before-start", 422, "The end must be after the start.");
    public static readonly ProblemType EndTooFar = new("end-too-far", 422, "The end is further away than the longest grant allowed for this purpose.");
    public static readonly ProblemType VerbalTooLong = new("verbal-consent-too-long", 422, "Verbal consent lasts at most 30 days.");
    public static readonly ProblemType MethodNotAllowed = new("consent-method-not-allowed", 422, "This way of giving consent is not available to your role.");
    public static readonly ProblemType RecipientDenied = new("recipient-on-deny-list", 422, "The survivor's deny list names this agency.");
    public static readonly ProblemType ConsentNotActive = new("consent-not-active", 409, "The consent grant is no longer active.");
    public static readonly ProblemType ConsentDuplicate = new("consent-duplicate", 409, "An active grant already covers exactly this (same agency, sources, kinds of records and purposes, overlapping dates): amend or revoke it instead.");

    // Deny list
    public static readonly ProblemType DenyEntryExists = new("deny-entry-exists", 409, "The deny list already names this agency or person.");

    // MOUs
    public static readonly ProblemType MouNeedsTwoParties = new("mou-needs-two-parties", 422, "An MOU needs at least two different party agencies.");
    public static readonly ProblemType MouNotAParty = new("mou-not-a-party", 422, "Your agency must be a party to an MOU it drafts.");
    public static readonly ProblemType MouFlowOutsideParties = new("mou-flow-outside-parties", 422, "Every direction of sharing must be between parties.");
    public static readonly ProblemType MouNotEditable = new("mou-not-editable", 409, "Only a draft MOU can be changed.");
    public static readonly ProblemType MouDocumentMissing = new("mou-document-missing", 409, "Upload the MOU document before it goes for signature.");
    public static readonly ProblemType MouDocumentMismatch = new("mou-document-mismatch", 409, "The document hash does not match the MOU's document.");
    public static readonly ProblemType MouNotPendingSignature = new("mou-not-pending-signature", 409, "The MOU is not waiting for signatures.");
    public static readonly ProblemType MouAlreadySigned = new("mou-already-signed", 409, "Your agency has already signed this MOU.");
    public static readonly ProblemType MouAlreadyEnded = new("mou-already-ended", 409, "The MOU has already ended.");
    public static readonly ProblemType EmptyDocument = new("empty-document", 422, "The document is empty.");

    // Statutory bases
    public static readonly ProblemType NotAMinor = new("not-a-minor", 422, "A child-protection basis applies only to a survivor under 18 at the report date.");
    public static readonly ProblemType DateOfBirthRequired = new("date-of-birth-required", 422, "The survivor's date of birth is needed for this.");
    public static readonly ProblemType StatutoryBasisClosed = new("statutory-basis-closed", 409, "The case is already closed.");

    // Consent requests and break glass
    public static readonly ProblemType ConsentRequestNotPending = new("consent-request-not-pending", 409, "The consent request has already been answered.");
    public static readonly ProblemType BreakGlassReviewed = new("break-glass-reviewed", 409, "The break-glass record has already been reviewed.");

    // Disclosure log
    public static readonly ProblemType DisclosureLogUnavailable = new("disclosure-log-unavailable", 503, "The disclosure could not be recorded, so nothing was disclosed; try again later.");
    public static readonly ProblemType DisclosureEntryNotFound = new("disclosure-entry-not-found", 404, "No such entry in the disclosure log.");
    public static readonly ProblemType NoTreeHead = new("no-tree-head", 404, "The disclosure log is empty: no tree head has been signed yet.");
    public static readonly ProblemType DisclosureLogEmpty = new("disclosure-log-empty", 409, "The disclosure log is empty: there is no tree to sign yet.");
    public static readonly ProblemType LogVerificationRunning = new("log-verification-running", 429, "A check of the disclosure log is already running; try again after Retry-After seconds.");
    public static readonly ProblemType OnlineVerificationNeedsSqlite = new("online-verification-needs-sqlite", 501,
        "The online check reads the log through connections of its own, to a SQLite file or a PostgreSQL database, and this database is neither (an in-memory database); verify a copy of the log with consent verify-log instead.");
    public static readonly ProblemType LogVerificationUnavailable = new("log-verification-unavailable", 503, "The disclosure log could not be read for the check; try again later.");
    public static readonly ProblemType DisclosureTreeUnavailable = new("disclosure-tree-unavailable", 503, "The disclosure log's tree disagrees with the log and is not extended or signed until the log is checked.");

    public static Problem Invalid(string field, string message) =>
        new(InvalidRequest, null, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Writing a catalogued problem from middleware, where no endpoint result is there to return.</summary>
public static class ProblemWriting
{
    /// <summary>Sets the status and writes the problem through the host's problem writers (an OperationOutcome on /fhir).</summary>
    public static async Task WriteAsync(this ProblemType kind, HttpContext http, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(http);
        http.Response.StatusCode = kind.Status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = kind.Status, Type = kind.Type, Title = kind.Title, Detail = detail },
        });
    }
}
