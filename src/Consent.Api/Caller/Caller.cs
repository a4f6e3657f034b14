using System.Security.Claims;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Api.Caller;

/// <summary>The roles the identity provider puts in user tokens.</summary>
public static class PlatformRoles
{
    public const string Survivor = "survivor";
    public const string Advocate = "advocate";
    public const string Compliance = "compliance";
    public const string AgencyAdmin = "agency-admin";
    public const string PlatformAdmin = "platform-admin";
}

/// <summary>The kinds of client-credentials client the identity provider registers (token claim <c>client_kind</c>).</summary>
public static class ClientKinds
{
    public const string Claim = "client_kind";

    /// <summary>A consent directory's registered purpose of use (token claim).</summary>
    public const string PurposeClaim = "purpose_of_use";

    public const string AgencySystem = "agency-system";

    /// <summary>An external consent decision service: reads survivors' Patient (by identifier) and Consent resources only.</summary>
    public const string ConsentDirectory = "consent-directory";
}

/// <summary>
/// Who is calling, read once from the validated access token. A user token carries a role; an agency
/// system token (client credentials) carries only its client and agency; a consent directory's token also
/// its kind and registered purpose of use.
/// </summary>
public sealed record ApiCaller(string Subject, string? AgencyId, string? SurvivorId, string? ClientId, IReadOnlySet<string> Roles,
    string? ClientKind = null, string? PurposeOfUse = null)
{
    public bool IsSurvivor => Roles.Contains(PlatformRoles.Survivor) && SurvivorId is not null;

    public bool IsAdvocate => Roles.Contains(PlatformRoles.Advocate) && AgencyId is not null;

    public bool IsCompliance => Roles.Contains(PlatformRoles.Compliance);

    public bool IsAgencyAdmin => Roles.Contains(PlatformRoles.AgencyAdmin) && AgencyId is not null;

    public bool IsPlatformAdmin => Roles.Contains(PlatformRoles.PlatformAdmin);

    /// <summary>An agency's own system (client credentials): no user, no role, not a consent directory.</summary>
    public bool IsAgencySystem => Roles.Count == 0 && AgencyId is not null && !IsConsentDirectory;

    /// <summary>
    /// A consent directory (client credentials) run by <see cref="AgencyId"/>: it reads consents for other systems, and
    /// never acts for its agency anywhere else.
    /// </summary>
    public bool IsConsentDirectory => Roles.Count == 0 && AgencyId is not null && ClientId is not null
        && string.Equals(ClientKind, ClientKinds.ConsentDirectory, StringComparison.Ordinal);

    /// <summary>Staff or a system acting for an agency.</summary>
    public bool ActsForAgency => AgencyId is not null && !IsSurvivor && !IsConsentDirectory;

    public static ApiCaller From(ClaimsPrincipal user) => new(
        user.GetClaim(Claims.Subject) ?? "",
        user.GetClaim("agency_id"),
        user.GetClaim("survivor_id"),
        user.GetClaim(Claims.ClientId) ?? user.GetClaim(Claims.Private.Presenter),
        user.GetClaims(Claims.Role).ToHashSet(StringComparer.Ordinal),
        user.GetClaim(ClientKinds.Claim),
        user.GetClaim(ClientKinds.PurposeClaim));

    /// <summary>Lets endpoints take the caller as a parameter.</summary>
    public static ValueTask<ApiCaller?> BindAsync(HttpContext context) => ValueTask.FromResult<ApiCaller?>(From(context.User));
}
