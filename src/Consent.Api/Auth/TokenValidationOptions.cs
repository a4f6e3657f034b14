using System.ComponentModel.DataAnnotations;

namespace Consent.Api.Auth;

/// <summary>Which identity provider the API trusts, which audience its tokens must carry, and how revocation reaches it.</summary>
public sealed class TokenValidationOptions
{
    public const string Section = "Auth";

    /// <summary>The issuer URL of the identity provider; its discovery document gives the signing keys.</summary>
    [Required]
    public Uri Authority { get; set; } = new("http://localhost:5001/");

    [Required]
    public string Audience { get; set; } = "consent-api";

    /// <summary>The API's own client at the provider, allowed only to introspect tokens.</summary>
    [Required]
    public string IntrospectionClientId { get; set; } = "consent-api";

    /// <summary>
    /// That client's secret. Required in every environment: without it a revoked token would stay usable until it expires.
    /// </summary>
    [Required]
    public string? IntrospectionSecret { get; set; }

    /// <summary>
    /// How long the provider's answer about one token is remembered: the longest a revoked token can still be used here.
    /// 0 asks the provider on every request.
    /// </summary>
    [Range(0, 300)]
    public int RevocationCacheSeconds { get; set; } = 15;
}
