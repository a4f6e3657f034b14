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
            .Validate(options => SafePages.IsQuickExitAddress(options.QuickExitUrl), SafePages.QuickExitAddressRequired)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    /// <summary>The safety headers (<see cref="SafePages.UseSafetyHeaders"/>), the portal's forms posting to itself and to the provider.</summary>
    public static WebApplication UseSafetyHeaders(this WebApplication app)
    {
        var provider = app.Services.GetRequiredService<IOptions<OidcOptions>>().Value.Authority.GetLeftPart(UriPartial.Authority);
        return app.UseSafetyHeaders($"'self' {provider}");
    }
}
