using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Consent.Portal;
using Consent.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace Consent.Portal.Tests;

/// <summary>
/// The portal in-process, signing in against the real identity provider (also in-process) and calling a
/// stand-in for the consent API when one is given. The portal's outgoing HTTP calls are routed by host:
/// the provider answers at http://localhost/, the API at <see cref="ApiBaseUrl"/>; with no API, calls to it
/// fail as if it were down.
/// </summary>
public sealed class PortalHost(IdentityHost identity, Func<HttpMessageHandler>? api, TimeProvider? time = null,
    IDictionary<string, string?>? settings = null) : WebApplicationFactory<PortalEntryPoint>
{
    /// <summary>The portal's address as registered at the provider (redirect URIs are matched exactly).</summary>
    public static readonly Uri BaseUrl = new("http://localhost:5003/");

    public const string ApiBaseUrl = "http://consent-api.test/";

    public IdentityHost Identity { get; } = identity;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n"));

    /// <summary>A browser on the portal: keeps cookies, does not follow redirects (tests look at each hop).</summary>
    public HttpClient CreateBrowser() => CreateDefaultClient(BaseUrl, new LocalhostCookieJar());

    /// <summary>A browser whose cookies are <paramref name="cookies"/>, e.g. the same jar on two instances behind one address.</summary>
    public HttpClient CreateBrowser(CookieContainer cookies) => CreateDefaultClient(BaseUrl, new LocalhostCookieJar(cookies));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Oidc:Authority", IdentityHost.Issuer);
        builder.UseSetting("Oidc:RequireHttps", "false");
        builder.UseSetting("Api:BaseUrl", ApiBaseUrl);
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.ConfigureAll<HttpClientFactoryOptions>(options =>
                options.HttpMessageHandlerBuilderActions.Add(handler =>
                    handler.AdditionalHandlers.Add(new RouteByHost(Identity.Server.CreateHandler, api))));
            if (time is not null)
            {
                services.AddSingleton(time);
            }
        });
    }

    /// <summary>
    /// Sends outgoing calls to the in-process hosts. OpenIddict insists on its own primary handler, so the hop
    /// happens in a delegating handler that never calls the network.
    /// </summary>
    private sealed class RouteByHost(Func<HttpMessageHandler> identity, Func<HttpMessageHandler>? api) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.RequestUri!.GetLeftPart(UriPartial.Authority) + "/";
            if (target == IdentityHost.Issuer)
            {
                return new HttpMessageInvoker(identity(), disposeHandler: false).SendAsync(request, cancellationToken);
            }

            if (target == ApiBaseUrl && api is not null)
            {
                return new HttpMessageInvoker(api(), disposeHandler: false).SendAsync(request, cancellationToken);
            }

            throw new HttpRequestException("Connection refused (" + target + ")");
        }
    }
}

/// <summary>
/// Keeps cookies the way browsers do for http://localhost, which they treat as a secure context: cookies
/// marked Secure (OpenIddict's state cookie is) are sent back over plain HTTP too. .NET's own cookie handler
/// would drop them, so the jar files every cookie under the https form of the address.
/// </summary>
public sealed class LocalhostCookieJar(CookieContainer cookies) : DelegatingHandler
{
    public LocalhostCookieJar()
        : this(new CookieContainer())
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var secureForm = new UriBuilder(request.RequestUri!) { Scheme = Uri.UriSchemeHttps, Port = request.RequestUri!.Port }.Uri;
        var header = cookies.GetCookieHeader(secureForm);
        if (header.Length > 0)
        {
            request.Headers.Add("Cookie", header);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                cookies.SetCookies(secureForm, setCookie);
            }
        }

        return response;
    }
}

/// <summary>
/// Stands in for Consent.Api where a test needs the API to misbehave or to see exactly which token the portal sent (the
/// real API runs in the platform tests under Stack/). It proves the portal sends the signed-in person's real access
/// token: it asks the real provider's userinfo endpoint who the token belongs to, records the call, and answers
/// <c>GET /api/me</c> as the API would and anything else with 503 (so pages show that the service is down).
/// </summary>
public sealed class StandInApi(Func<HttpMessageHandler> identity) : HttpMessageHandler
{
    public sealed record Call(string Method, string Path, string Token, string? Subject, string? SurvivorId);

    private readonly ConcurrentQueue<Call> calls = new();

    public IReadOnlyList<Call> Calls => [.. calls];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: { Length: > 0 } token })
        {
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        using var provider = new HttpClient(identity(), disposeHandler: false) { BaseAddress = new Uri(IdentityHost.Issuer) };
        using var userInfo = new HttpRequestMessage(HttpMethod.Get, "connect/userinfo");
        userInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await provider.SendAsync(userInfo, cancellationToken);
        if (!answer.IsSuccessStatusCode)
        {
            calls.Enqueue(new Call(request.Method.Method, request.RequestUri!.AbsolutePath, token, null, null));
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        var claims = await answer.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        string? Claim(string name) => claims.TryGetProperty(name, out var value) ? value.GetString() : null;
        calls.Enqueue(new Call(request.Method.Method, request.RequestUri!.AbsolutePath, token, Claim("sub"), Claim("survivor_id")));
        if (request.Method != HttpMethod.Get || request.RequestUri!.AbsolutePath != "/api/me")
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }

        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = JsonContent.Create(new
            {
                subject = Claim("sub"),
                clientId = "consent-portal",
                agencyId = Claim("agency_id"),
                survivorId = Claim("survivor_id"),
                roles = claims.TryGetProperty("role", out var roles) && roles.ValueKind == JsonValueKind.Array
                    ? roles.EnumerateArray().Select(role => role.GetString()).ToArray()
                    : [Claim("role")],
                scopes = new[] { "openid", "profile", "roles", "offline_access", "consent-api" },
            }),
        };
    }
}

/// <summary>One provider and one portal for the whole test run (starting them takes seconds).</summary>
public sealed class Platform : IAsyncLifetime
{
    public IdentityHost Identity { get; } = new();

    public PortalHost Portal { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Portal = new PortalHost(Identity, () => new StandInApi(Identity.Server.CreateHandler));
        _ = Identity.Server;
        _ = Portal.Server;
        return Task.CompletedTask;
    }

    /// <summary>A second portal on the same provider whose consent API is down.</summary>
    public PortalHost PortalWithoutApi() => new(Identity, api: null);

    /// <summary>A second portal on the same provider whose clock the test moves.</summary>
    public PortalHost PortalWithClock(TimeProvider time) => new(Identity, () => new StandInApi(Identity.Server.CreateHandler), time);

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Identity.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<Platform>
{
    public const string Name = "platform";
}
