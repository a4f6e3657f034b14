using System.ComponentModel.DataAnnotations;

namespace Consent.Portal.Safety;

/// <summary>Protections for people whose use of the portal may be watched by someone who harms them.</summary>
public sealed class SafetyOptions
{
    public const string Section = "Safety";

    /// <summary>Where the quick exit button leads: a neutral, everyday site.</summary>
    [Required]
    public Uri QuickExitUrl { get; set; } = new("https://www.weather.gov/");
}
