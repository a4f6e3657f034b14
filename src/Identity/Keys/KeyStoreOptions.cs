using System.ComponentModel.DataAnnotations;

namespace Consent.Identity.Keys;

/// <summary>Where the provider's signing and encryption keys live and when they roll over.</summary>
public sealed class KeyStoreOptions
{
    public const string Section = "Keys";

    /// <summary>Key folder; relative to the data directory unless rooted.</summary>
    [Required]
    public string Directory { get; set; } = "keys";

    /// <summary>A new key is created when the newest one is older than this.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan RotateAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Keys older than this are no longer published or used. It must exceed <see cref="RotateAfter"/> by more
    /// than the longest token lifetime, so tokens signed just before a rollover still validate.
    /// </summary>
    [Range(typeof(TimeSpan), "2.00:00:00", "3650.00:00:00")]
    public TimeSpan RetireAfter { get; set; } = TimeSpan.FromDays(180);

    /// <summary>
    /// On PostgreSQL: how often an instance reloads the shared keys (making the next one when due). A new key is
    /// published for twice this long before it signs, so every instance knows it first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromHours(1);
}
