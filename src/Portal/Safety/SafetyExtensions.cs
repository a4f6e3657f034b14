using Consent.Portal.SignIn;
using Consent.ServiceDefaults.Safety;
using Microsoft.Extensions.Options;

namespace Consent.Portal.Safety;

internal static class SafetyExtensions
{
    /// <summary>The quick exit's address on the portal (see <see cref="QuickExitEndpoint"/>).</summary>
    public const string QuickExitPath = "/exit";

    public static WebApplicationBuilder AddSafety(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SafetyOptions>()
            .Bind(builder.Configuration.GetSection(SafetyOptions.Section))
            .Validate(options => options.QuickExitUrl is { IsAbsoluteUri: true, Scheme: "https" or "http" },
                "Safety:QuickExitUrl must be an absolute http(s) URL.")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// The portal's safety headers (<see cref="SafePages.UseSafetyHeaders"/>) with its own Content-Security-Policy, whose
    /// <c>form-action</c> lets the sign-in and sign-out forms lead to the identity provider.
    /// </summary>
    public static WebApplication UseSafetyHeaders(this WebApplication app)
    {
        var provider = app.Services.GetRequiredService<IOptions<OidcOptions>>().Value.Authority.GetLeftPart(UriPartial.Authority);
        return app.UseSafetyHeaders("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; " +
                                    $"base-uri 'none'; frame-ancestors 'none'; form-action 'self' {provider}");
    }
}
