using System.ComponentModel.DataAnnotations;

namespace Consent.Identity;

/// <summary>The provider's public identity and its first-party clients.</summary>
public sealed class ProviderOptions : IValidatableObject
{
    public const string Section = "Provider";

    /// <summary>The issuer URL, as agencies and the API see it (tokens' <c>iss</c>).</summary>
    [Required]
    public Uri Issuer { get; set; } = new("http://localhost:5001/");

    /// <summary>Refuse plain HTTP. Only a local development or test setup turns this off.</summary>
    public bool RequireHttps { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:30", "00:05:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    [Required]
    public PortalClientOptions Portal { get; set; } = new();

    /// <summary>
    /// Consent.Api as a resource server: a confidential client allowed only to introspect tokens (RFC 7662), which is how
    /// revoked tokens reach it. Required in every environment; <c>./run.sh</c> generates its secret per installation.
    /// </summary>
    public ResourceServerOptions Api { get; set; } = new();

    /// <summary>Other resource servers that introspect the platform's tokens, each registered like the API.</summary>
    public List<ResourceServerOptions> ResourceServers { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var servers = ResourceServers.Select((server, index) => (server, name: $"{nameof(ResourceServers)}:{index}"))
            .Prepend((Api, name: nameof(Api)));
        var seen = new HashSet<string>(StringComparer.Ordinal) { Portal.ClientId };
        foreach (var (server, name) in servers)
        {
            if (string.IsNullOrWhiteSpace(server.ClientId))
            {
                yield return new ValidationResult($"Provider:{name}:ClientId is required.", [name]);
            }
            else if (!seen.Add(server.ClientId))
            {
                yield return new ValidationResult($"Provider:{name}:ClientId '{server.ClientId}' is used by another client.", [name]);
            }

            if (server.ClientSecret is not { Length: >= ResourceServerOptions.MinimumSecretLength })
            {
                yield return new ValidationResult(
                    $"Provider:{name}:ClientSecret must be set, at least {ResourceServerOptions.MinimumSecretLength} characters: " +
                    "a resource server that cannot introspect cannot see revoked tokens.", [name]);
            }
        }
    }
}

public sealed class PortalClientOptions
{
    [Required]
    public string ClientId { get; set; } = "consent-portal";

    [MinLength(1)]
    public string[] RedirectUris { get; set; } = ["http://localhost:5003/callback/login/local"];

    public string[] PostLogoutRedirectUris { get; set; } = ["http://localhost:5003/callback/logout/local"];
}

/// <summary>A resource server's registration: a confidential client with the introspection permission and nothing else.</summary>
public sealed class ResourceServerOptions
{
    public const int MinimumSecretLength = 32;

    public string ClientId { get; set; } = "consent-api";

    public string? ClientSecret { get; set; }

    public string? DisplayName { get; set; }
}

/// <summary>Request limits on sign-in (per address and per account) and on the token endpoint (per address).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Sign-in posts per client address: high enough for a shelter's office behind one address.</summary>
    [Range(1, 100_000)]
    public int LoginPerMinute { get; set; } = 60;

    /// <summary>Sign-in posts per account name (whether or not the account exists): what slows guessing one password.</summary>
    [Range(1, 100_000)]
    public int LoginPerAccountPerMinute { get; set; } = 5;

    [Range(1, 100_000)]
    public int TokenPerMinute { get; set; } = 120;
}

/// <summary>Demo data for a local start; never seeded outside Development unless asked.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";
    public bool Seed { get; set; }
}
