using System.ComponentModel.DataAnnotations;

namespace Consent.Portal.ConsentApi;

/// <summary>Where the consent API answers, and how long a page waits for it.</summary>
public sealed class ConsentApiOptions
{
    public const string Section = "Api";

    [Required]
    public Uri BaseUrl { get; set; } = new("http://localhost:5002/");

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
