namespace Consent.Portal.SignIn;

/// <summary>Roles the platform's provider puts in the <c>role</c> claim.</summary>
public static class PortalRoles
{
    public const string Compliance = "compliance";
}

/// <summary>Who may open which part of the portal.</summary>
public static class PortalPolicies
{
    /// <summary>The compliance console: compliance officers only.</summary>
    public const string Compliance = "compliance";
}
