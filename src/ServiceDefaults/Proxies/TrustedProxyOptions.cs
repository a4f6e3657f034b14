using System.Net;

namespace Consent.ServiceDefaults.Proxies;

/// <summary>
/// The load balancers or reverse proxies in front of the app. Only a request that comes straight from one of them has
/// its <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> believed: the client's address (which the per-address rate
/// limits count) and whether it came over HTTPS (which the identity provider and the portal's cookies require). From
/// anyone else the headers are ignored, so a client cannot choose its own address. Empty (the default): no proxy is
/// trusted and the headers are never read.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Addresses of the proxies (e.g. <c>10.0.0.5</c>, <c>::1</c>).</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Networks of the proxies in CIDR form (e.g. <c>10.0.0.0/24</c>), for proxies without a fixed address.</summary>
    public List<string> TrustedNetworks { get; set; } = [];

    /// <summary>The addresses and networks, or an exception naming the first setting that is not one.</summary>
    public (List<IPAddress> Proxies, List<IPNetwork> Networks) Parse()
    {
        var proxies = TrustedProxies.Select((text, i) => IPAddress.TryParse(text, out var address)
            ? address
            : throw Invalid(nameof(TrustedProxies), i, "an IP address")).ToList();
        var networks = TrustedNetworks.Select((text, i) => IPNetwork.TryParse(text, out var network)
            ? network
            : throw Invalid(nameof(TrustedNetworks), i, "a network in CIDR form (address/prefix length)")).ToList();
        return (proxies, networks);
    }

    private static InvalidOperationException Invalid(string key, int index, string what) =>
        new($"{Section}:{key}:{index} is not {what}.");
}
