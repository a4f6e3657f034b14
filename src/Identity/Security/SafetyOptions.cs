using System.ComponentModel.DataAnnotations;

namespace Consent.Identity.Security;

/// <summary>Protections for people whose use of the sign-in pages may be watched by someone who harms them.</summary>
public sealed class SafetyOptions
{
    public const string Section = "Safety";

    /// <summary>Where the quick exit leads: a neutral, everyday site (the portal's quick exit uses the same setting).</summary>
    [Required]
    public Uri QuickExitUrl { get; set; } = new("https://www.weather.gov/");
}
