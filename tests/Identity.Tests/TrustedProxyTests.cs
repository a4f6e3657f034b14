using System.Net;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Consent.Identity.Tests;

/// <summary>
/// TLS ended at the load balancer (10.0.0.5): the provider requires HTTPS, and a request counts as HTTPS only when the
/// trusted proxy says so (<c>X-Forwarded-Proto</c>); the same header from anyone else, or no header, is plain HTTP.
/// </summary>
public sealed class TrustedProxyTests : IAsyncLifetime
{
    private const string Proxy = "10.0.0.5";

    private readonly IdentityHost host = IdentityHost.With(issuer: "https://consent.example/", overrides: new Dictionary<string, string?>
    {
        ["Provider:RequireHttps"] = "true",
        ["Proxy:TrustedProxies:0"] = Proxy,
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task HttpsAtTheTrustedProxy_IsHttpsToTheProvider()
    {
        var answer = await Discovery(Proxy, "https");

        answer.Response.StatusCode.ShouldBe(StatusCodes.Status200OK);
        answer.Request.IsHttps.ShouldBeTrue();
        var body = JsonDocument.Parse(await new StreamReader(answer.Response.Body).ReadToEndAsync()).RootElement;
        body.GetProperty("token_endpoint").GetString().ShouldBe("https://consent.example/connect/token");
    }

    [Theory]
    [InlineData(Proxy, null)]
    [InlineData("198.51.100.9", "https")]
    public async Task PlainHttp_OrAnUntrustedClaimOfHttps_IsRefused(string from, string? forwardedProto)
    {
        var answer = await Discovery(from, forwardedProto);

        answer.Request.IsHttps.ShouldBeFalse();
        answer.Response.StatusCode.ShouldBe(StatusCodes.Status400BadRequest);
    }

    private Task<HttpContext> Discovery(string from, string? forwardedProto) => host.Server.SendAsync(http =>
    {
        http.Connection.RemoteIpAddress = IPAddress.Parse(from);
        http.Request.Method = HttpMethods.Get;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("consent.example");
        http.Request.Path = "/.well-known/openid-configuration";
        http.Request.Headers["X-Forwarded-For"] = "203.0.113.7";
        if (forwardedProto is not null)
        {
            http.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
        }
    });
}
