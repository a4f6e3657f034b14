using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Consent.Api.Tests;

/// <summary>The API behind a load balancer at 10.0.0.5, with 2 requests a minute per address without a token.</summary>
public sealed class BehindProxyApi : IAsyncLifetime
{
    public const string Proxy = "10.0.0.5";

    public ApiHost Api { get; } = ApiHost.With(new Dictionary<string, string?>
    {
        ["RateLimits:AnonymousPerMinute"] = "2",
        ["Proxy:TrustedProxies:0"] = Proxy,
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>
/// Per-address limits count the client the trusted proxy names, never an address a client names itself: from the
/// proxy, the last <c>X-Forwarded-For</c> entry (the one the proxy appended); from anyone else, the connection's own.
/// Each test uses addresses of its own, as the limits are shared by the fixture.
/// </summary>
public sealed class TrustedProxyTests(BehindProxyApi host) : IClassFixture<BehindProxyApi>
{
    [Fact]
    public async Task ThroughTheTrustedProxy_EachClientHasItsOwnAllowance()
    {
        (await Anonymous(BehindProxyApi.Proxy, "203.0.113.7")).ShouldNotBe(429);
        (await Anonymous(BehindProxyApi.Proxy, "203.0.113.7")).ShouldNotBe(429);

        (await Anonymous(BehindProxyApi.Proxy, "203.0.113.7")).ShouldBe(429);
        // Another client behind the same proxy is not affected.
        (await Anonymous(BehindProxyApi.Proxy, "203.0.113.8")).ShouldNotBe(429);
    }

    [Fact]
    public async Task FromAnUntrustedAddress_TheHeaderIsIgnored()
    {
        // Claiming a new address with each request does not buy a new allowance.
        (await Anonymous("198.51.100.9", "203.0.113.20")).ShouldNotBe(429);
        (await Anonymous("198.51.100.9", "203.0.113.21")).ShouldNotBe(429);

        (await Anonymous("198.51.100.9", "203.0.113.22")).ShouldBe(429);
    }

    [Fact]
    public async Task ThroughTheTrustedProxy_WhatTheClientPutBeforeTheProxysEntryIsIgnored()
    {
        (await Anonymous(BehindProxyApi.Proxy, "192.0.2.1, 203.0.113.30")).ShouldNotBe(429);
        (await Anonymous(BehindProxyApi.Proxy, "192.0.2.2, 203.0.113.30")).ShouldNotBe(429);

        (await Anonymous(BehindProxyApi.Proxy, "192.0.2.3, 203.0.113.30")).ShouldBe(429);
    }

    [Theory]
    [InlineData("TrustedProxies", "10.0.0.300", "Proxy:TrustedProxies:0 is not an IP address")]
    [InlineData("TrustedNetworks", "10.0.0.0/33", "Proxy:TrustedNetworks:0 is not a network in CIDR form")]
    public void AProxySettingThatIsNotAnAddress_StopsTheStart_NamingIt(string key, string value, string message)
    {
        using var api = ApiHost.With(new Dictionary<string, string?> { [$"Proxy:{key}:0"] = value });

        var failure = Should.Throw<InvalidOperationException>(() => api.CreateClient());

        failure.Message.ShouldContain(message);
    }

    /// <summary>An anonymous request arriving from <paramref name="from"/> with <paramref name="forwardedFor"/>; its status.</summary>
    private async Task<int> Anonymous(string from, string forwardedFor)
    {
        var context = await host.Api.Server.SendAsync(http =>
        {
            http.Connection.RemoteIpAddress = IPAddress.Parse(from);
            http.Request.Method = HttpMethods.Get;
            http.Request.Path = "/api/agencies";
            http.Request.Headers["X-Forwarded-For"] = forwardedFor;
        });
        return context.Response.StatusCode;
    }
}
