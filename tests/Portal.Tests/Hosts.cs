using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Consent.Api;
using Consent.Portal;
using Consent.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace Consent.Portal.Tests;

/// <summary>
/// The portal in-process, signing in against the real identity provider (also in-process) and calling the real consent
/// API (<see cref="ConsentApiHost"/>, also in-process) when one is given. The portal's outgoing HTTP calls are routed by
/// host: the provider answers at http://localhost/, the API at <see cref="ApiBaseUrl"/>; with no API, calls to it fail as
/// if it were down. The calls to the API are recorded on their way (<see cref="ApiCalls"/>), for a test to see which token
/// the portal sent and which endpoints it asked.
/// </summary>
public sealed class PortalHost(IdentityHost identity, Func<HttpMessageHandler>? api, TimeProvider? time = null,
    IDictionary<string, string?>? settings = null) : WebApplicationFactory<PortalEntryPoint>
{
    /// <summary>The portal's address as registered at the provider (redirect URIs are matched exactly).</summary>
    public static readonly Uri BaseUrl = new("http://localhost:5003/");

    public const string ApiBaseUrl = "http://consent-api.test/";

    public IdentityHost Identity { get; } = identity;

    /// <summary>A call the portal made to the consent API: its method, path and query, and the bearer token it carried.</summary>
    public sealed record ApiCall(string Method, string PathAndQuery, string? Token);

    private readonly ConcurrentQueue<ApiCall> apiCalls = new();

    /// <summary>The portal's calls to the consent API so far, in order.</summary>
    public IReadOnlyList<ApiCall> ApiCalls => [.. apiCalls];

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
                    handler.AdditionalHandlers.Add(new RouteByHost(Identity.Server.CreateHandler, api, apiCalls))));
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
    private sealed class RouteByHost(Func<HttpMessageHandler> identity, Func<HttpMessageHandler>? api, ConcurrentQueue<ApiCall> apiCalls)
        : DelegatingHandler
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
                apiCalls.Enqueue(new ApiCall(request.Method.Method, request.RequestUri!.PathAndQuery,
                    request.Headers.Authorization is { Scheme: "Bearer" } bearer ? bearer.Parameter : null));
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
/// The real consent API in-process, on its own temporary data directory seeded with the demo data, trusting the real
/// provider (also in-process): the API's own calls to the provider (discovery, keys, introspection) go to the provider's
/// test server. Its clock is the real one, as the provider's is.
/// </summary>
public sealed class ConsentApiHost(IdentityHost identity) : WebApplicationFactory<ApiEntryPoint>
{
    public IdentityHost Identity { get; } = identity;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n"));

    /// <summary>
    /// The API as a demo user, with the access token the provider gives the portal for them (authorization code with
    /// PKCE, through the login form and, for staff, the TOTP page).
    /// </summary>
    public async Task<HttpClient> AsAsync(string userName)
    {
        var tokens = await TokenRequests.UserTokensAsync(Identity, userName);
        return WithToken(tokens.GetProperty("access_token").GetString()!);
    }

    /// <summary>The API with <paramref name="accessToken"/> as the bearer token.</summary>
    public HttpClient WithToken(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The limits are far above one person's: tests sign the same demo users in many times a minute.
        builder.UseTestDefaults(Identity, DataDirectory);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary folder left behind harms nothing.
        }
    }
}

/// <summary>One provider, one consent API and one portal for the whole test run (starting them takes seconds).</summary>
public sealed class Platform : IAsyncLifetime
{
    public IdentityHost Identity { get; } = new();

    /// <summary>The real consent API the portals of this fixture call (not the one of Stack/'s platform, which is a process).</summary>
    public ConsentApiHost Api { get; private set; } = null!;

    public PortalHost Portal { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Api = new ConsentApiHost(Identity);
        Portal = new PortalHost(Identity, Api.Server.CreateHandler);
        _ = Identity.Server;
        _ = Api.Server;
        _ = Portal.Server;
        return Task.CompletedTask;
    }

    /// <summary>A second portal on the same provider whose consent API is down.</summary>
    public PortalHost PortalWithoutApi() => new(Identity, api: null);

    /// <summary>
    /// A second portal on the same provider and the same consent API, whose clock the test moves. Only the portal's clock
    /// moves: the provider and the API keep the real time, so a token the portal renews is one they really accept.
    /// </summary>
    public PortalHost PortalWithClock(TimeProvider time) => new(Identity, Api.Server.CreateHandler, time);

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Api.DisposeAsync();
        await Identity.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<Platform>
{
    public const string Name = "platform";
}
