using Consent.Api.Caller;
using Consent.Policies;

namespace Consent.Api.Fhir;

/// <summary>An agency system calling /fhir: its agency, client and (for a user token) user.</summary>
public sealed record FhirCaller(string AgencyId, string ClientId, string? UserId)
{
    /// <summary>The caller of a token, or null when the token does not act for an agency system (a survivor or staff user).</summary>
    public static FhirCaller? From(ApiCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.IsAgencySystem && caller.ClientId is { Length: > 0 } client ? new FhirCaller(caller.AgencyId!, client, null) : null;
    }

    public Requester AsRequester(string agencyType) => new() { AgencyId = AgencyId, AgencyType = agencyType, ClientId = ClientId, UserId = UserId };
}
