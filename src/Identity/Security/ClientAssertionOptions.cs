using System.ComponentModel.DataAnnotations;

namespace Consent.Identity.Security;

/// <summary>SMART Backend Services rules for <c>private_key_jwt</c> client assertions.</summary>
public sealed class ClientAssertionOptions
{
    public const string Section = "ClientAssertions";

    /// <summary>Signature algorithms accepted on assertions.</summary>
    [MinLength(1)]
    public string[] AllowedAlgorithms { get; set; } = ["RS384", "ES384"];

    /// <summary>How old (iat) and how long-lived (exp - now) an assertion may be.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:05:00")]
    public TimeSpan MaximumLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Tolerated clock difference between the agency system and the platform.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
