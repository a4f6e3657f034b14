using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace Consent.TestSupport;

/// <summary>How the test projects start Consent.Api in-process, beside the real identity provider (also in-process).</summary>
public static class InProcessApi
{
    /// <summary>
    /// Development, its data in <paramref name="dataDirectory"/>, trusting <paramref name="identity"/> (the API's calls
    /// for discovery, keys and introspection are routed to the provider's test server), warnings and above in its log,
    /// and rate limits far above what any test sends (a test that needs low ones sets them after this).
    /// </summary>
    public static IWebHostBuilder UseTestDefaults(this IWebHostBuilder builder, IdentityHost identity, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(identity);
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:DataDirectory", dataDirectory);
        builder.UseSetting("Auth:Authority", IdentityHost.Issuer);
        builder.UseSetting("Auth:IntrospectionSecret", IdentityHost.ApiIntrospectionSecret);
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("RateLimits:ClientPerMinute", "1000000");
        builder.UseSetting("RateLimits:UserPerMinute", "1000000");
        builder.UseSetting("RateLimits:AnonymousPerMinute", "1000000");
        return builder.ConfigureTestServices(services =>
            services.ConfigureAll<HttpClientFactoryOptions>(options =>
                options.HttpMessageHandlerBuilderActions.Add(handler =>
                    handler.AdditionalHandlers.Add(new ForwardTo(identity.Server.CreateHandler())))));
    }
}
