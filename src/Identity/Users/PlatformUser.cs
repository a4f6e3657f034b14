using Microsoft.AspNetCore.Identity;

namespace Consent.Identity.Users;

/// <summary>
/// A person who signs in: a survivor or a member of staff. The platform never needs a real name:
/// the user name is a chosen handle, staff carry their agency id, survivors their pseudonymous survivor id.
/// </summary>
public sealed class PlatformUser : IdentityUser
{
    /// <summary>The agency a member of staff belongs to (exactly one); null for survivors.</summary>
    public string? AgencyId { get; set; }

    /// <summary>The pseudonymous survivor record this account is linked to; null for staff.</summary>
    public string? SurvivorId { get; set; }
}

/// <summary>The roles of the platform.</summary>
public static class Roles
{
    public const string Survivor = "survivor";
    public const string Advocate = "advocate";
    public const string Compliance = "compliance";
    public const string AgencyAdmin = "agency-admin";
    public const string PlatformAdmin = "platform-admin";

    public static readonly IReadOnlyList<string> All = [Survivor, Advocate, Compliance, AgencyAdmin, PlatformAdmin];

    /// <summary>Staff roles must sign in with a second factor (TOTP).</summary>
    public static readonly IReadOnlyList<string> Staff = [Advocate, Compliance, AgencyAdmin, PlatformAdmin];

    public static bool IsStaff(IEnumerable<string> roles) => roles.Any(Staff.Contains);
}

/// <summary>Claim types the platform adds to tokens.</summary>
public static class PlatformClaims
{
    public const string AgencyId = "agency_id";
    public const string SurvivorId = "survivor_id";

    /// <summary>A system client's kind (<see cref="Clients.ClientKinds"/>), in its access tokens only.</summary>
    public const string ClientKind = "client_kind";

    /// <summary>A consent directory's registered purpose-of-use code, in its access tokens only.</summary>
    public const string PurposeOfUse = "purpose_of_use";
}
