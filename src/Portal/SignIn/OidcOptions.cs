using System.ComponentModel.DataAnnotations;

namespace Consent.Portal.SignIn;

/// <summary>How the portal signs people in: the platform's OpenID provider and the portal's registration there.</summary>
public sealed class OidcOptions
{
    public const string Section = "Oidc";

    /// <summary>The provider's issuer URL (its discovery document lives under it).</summary>
    [Required]
    public Uri Authority { get; set; } = new("http://localhost:5001/");

    [Required]
    public string ClientId { get; set; } = "consent-portal";

    /// <summary>Refuse plain HTTP to the provider and for the callbacks. Only a local setup turns this off.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>How long a portal session lasts without activity (survivors often use shared devices).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "08:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(20);
}
