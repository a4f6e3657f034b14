using System.ComponentModel.DataAnnotations;

namespace Consent.Api.Auth;

/// <summary>Which identity provider the API trusts and which audience its tokens must carry.</summary>
public sealed class TokenValidationOptions
{
    public const string Section = "Auth";

    /// <summary>The issuer URL of the identity provider; its discovery document gives the signing keys.</summary>
    [Required]
    public Uri Authority { get; set; } = new("http://localhost:5001/");

    [Required]
    public string Audience { get; set; } = "consent-api";
}
