namespace Consent.Portal.SignIn;

/// <summary>Roles the platform's provider puts in the <c>role</c> claim.</summary>
public static class PortalRoles
{
    public const string Survivor = "survivor";
    public const string Advocate = "advocate";
    public const string Compliance = "compliance";
    public const string AgencyAdmin = "agency-admin";
    public const string PlatformAdmin = "platform-admin";
}

/// <summary>Who may open which part of the portal: one policy per folder of pages.</summary>
public static class PortalPolicies
{
    /// <summary>The survivor's own pages (<c>/my</c>): survivors only.</summary>
    public const string Survivor = "survivor";

    /// <summary>Case managers' pages (<c>/advocate</c>).</summary>
    public const string Advocate = "advocate";

    /// <summary>The compliance console: compliance officers only.</summary>
    public const string Compliance = "compliance";

    /// <summary>MOUs and API clients of an agency (<c>/agency</c>): agency administrators and platform administrators.</summary>
    public const string AgencyAdmin = "agency-admin";
}
