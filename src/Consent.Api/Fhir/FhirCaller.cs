using Consent.Api.Caller;
using Consent.Policies;

namespace Consent.Api.Fhir;

/// <summary>
/// A system calling /fhir: its agency, client and (for a user token) user. A consent directory also carries the purpose
/// of use it was registered with (<see cref="DirectoryPurpose"/>); its agency is the one that operates it.
/// </summary>
public sealed record FhirCaller(string AgencyId, string ClientId, string? UserId, string? DirectoryPurpose = null)
{
    public bool IsConsentDirectory => DirectoryPurpose is not null;

    /// <summary>The caller of a token, or null when the token does not act for an agency system or a consent directory.</summary>
    public static FhirCaller? From(ApiCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsConsentDirectory)
        {
            return new FhirCaller(caller.AgencyId!, caller.ClientId!, null, caller.PurposeOfUse ?? "");
        }

        return caller.IsAgencySystem && caller.ClientId is { Length: > 0 } client ? new FhirCaller(caller.AgencyId!, client, null) : null;
    }

    public Requester AsRequester(string agencyType) => new() { AgencyId = AgencyId, AgencyType = agencyType, ClientId = ClientId, UserId = UserId };
}
