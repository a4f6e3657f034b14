namespace Consent.Portal.SignIn;

/// <summary>Claims the platform's provider puts in the portal's tokens, beyond the standard ones.</summary>
public static class PortalClaims
{
    public const string AgencyId = "agency_id";
    public const string SurvivorId = "survivor_id";
}
