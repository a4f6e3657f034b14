using Consent.Api.BreakGlass;
using Consent.Api.Vocabulary;

namespace Consent.Api.Fhir;

/// <summary>
/// A read as the HTTP request states it, before anything is looked up: who (the token's caller), for what purpose of
/// use (header <c>X-Purpose-Of-Use</c>, or a consent directory's registration), and the emergency reason when the
/// glass is broken (<c>X-Break-Glass-Reason</c>).
/// </summary>
public sealed record FhirReadRequest(FhirCaller Caller, string PurposeCode, string? BreakGlassReason)
{
    public const int MaximumBreakGlassReason = 2000;

    /// <summary>The request, or the OperationOutcome that refuses it (400, 403, 406).</summary>
    public static (FhirReadRequest? Request, IResult? Refused) TryParse(HttpRequest http, FhirCaller caller,
        VocabularyCatalogue vocabulary)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!AcceptsJson(http))
        {
            return (null, FhirOutcomes.NotAcceptable());
        }

        var header = http.Headers[FhirApi.PurposeHeader];
        if (caller.IsConsentDirectory)
        {
            // Its purpose is the one it was registered with; a header may repeat it, never change it.
            var registered = vocabulary.PurposeByCode(caller.DirectoryPurpose);
            if (registered is null)
            {
                return (null, FhirOutcomes.Forbidden("This consent directory's registered purpose of use is not one this platform knows; ask a platform admin to register it again."));
            }

            if (http.Headers.ContainsKey(FhirApi.BreakGlassHeader))
            {
                return (null, FhirOutcomes.Forbidden("A consent directory never breaks the glass."));
            }

            if (header.Count > 0 && (header.Count != 1 || !SamePurpose(header[0], registered)))
            {
                return (null, FhirOutcomes.Invalid($"A consent directory's purpose of use is the one it was registered with ({registered.Code}); leave out {FhirApi.PurposeHeader} or send that one."));
            }

            return (new FhirReadRequest(caller, registered.Code, null), null);
        }

        if (header.Count != 1 || string.IsNullOrWhiteSpace(header[0]))
        {
            return (null, FhirOutcomes.Invalid(
                $"Every read states its purpose of use in the {FhirApi.PurposeHeader} header: one of {string.Join(", ", vocabulary.Purposes.Select(p => p.Code))} (or system|code)."));
        }

        var value = header[0]!.Trim();
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        var (system, code) = bar < 0 ? ((string?)null, value) : (value[..bar], value[(bar + 1)..]);
        var purpose = vocabulary.PurposeByCode(code);
        if (purpose is null || (system is not null && purpose.System != system))
        {
            return (null, FhirOutcomes.Invalid(
                $"{FhirApi.PurposeHeader} is not a purpose of use this platform knows; use one of {string.Join(", ", vocabulary.Purposes.Select(p => p.Code))}."));
        }

        string? reason = null;
        if (http.Headers.TryGetValue(FhirApi.BreakGlassHeader, out var breakGlass))
        {
            reason = breakGlass.Count == 1 ? breakGlass[0]?.Trim() : null;
            if (reason is null || reason.Length < BreakGlassService.MinimumReasonLength || reason.Length > MaximumBreakGlassReason)
            {
                return (null, FhirOutcomes.Invalid(
                    $"{FhirApi.BreakGlassHeader} needs a reason of {BreakGlassService.MinimumReasonLength} to {MaximumBreakGlassReason} characters."));
            }
        }

        return (new FhirReadRequest(caller, purpose.Code, reason), null);
    }

    private static bool SamePurpose(string? value, Purpose purpose)
    {
        var text = value?.Trim() ?? "";
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? text == purpose.Code : text[(bar + 1)..] == purpose.Code && text[..bar] == purpose.System;
    }

    private static bool AcceptsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Count == 0 || accept.Any(a => a.MediaType.Value is "*/*" or "application/*" or "application/fhir+json" or "application/json"
            or "application/json+fhir");
    }
}
