using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Consent.ServiceDefaults.Proxies;

/// <summary>The client's address and scheme as the trusted proxy in front saw them (see <see cref="TrustedProxyOptions"/>).</summary>
public static class ForwardedHeadersExtensions
{
    /// <summary>Reads <c>Proxy</c>; a setting that is not an address or a network stops the start, naming it.</summary>
    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TrustedProxyOptions.Section).Get<TrustedProxyOptions>() ?? new TrustedProxyOptions();
        var (proxies, networks) = options.Parse();
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the address the trusted proxy itself appended: what came before it is whatever the client sent.
            forwarded.ForwardLimit = 1;
            // Nothing is trusted by default (not even loopback): only what the deployment names.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            proxies.ForEach(forwarded.KnownProxies.Add);
            networks.ForEach(forwarded.KnownIPNetworks.Add);
        });
        return builder;
    }

    /// <summary>First in the pipeline, so that everything after it (logs, rate limits, HTTPS checks) sees the client.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var forwarded = app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownIPNetworks.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
