using System.Net;
using System.Text;
using System.Text.Json;
using Consent.TestSupport;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The whole platform as <c>./run.sh</c> starts it: Identity, Consent.Api and Portal as their own processes on free
/// localhost ports, on one temporary data folder seeded with the demo data, talking to each other over real HTTP. The
/// portal's pages are tested against it, in a browser or with an HTTP client, with nothing standing in for our own parts.
/// </summary>
public sealed class PlatformStack : IAsyncLifetime
{
    private readonly List<AppProcess> processes = [];
    private readonly HttpClient probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Dictionary<string, string> apiSettings;

    public PlatformStack()
        : this([])
    {
    }

    private PlatformStack(Dictionary<string, string> apiSettings) => this.apiSettings = apiSettings;

    /// <summary>
    /// A platform of a test class's own (the shared one is <see cref="StackCollection"/>'s), whose consent API takes
    /// <paramref name="apiSettings"/> (environment variable names) over the platform's.
    /// </summary>
    public static PlatformStack WithApiSettings(Dictionary<string, string> apiSettings) => new(apiSettings);

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "consent-stack-tests", Guid.NewGuid().ToString("n"));

    /// <summary>Where the three processes write their output (<see cref="Output"/> gives its end).</summary>
    private string Logs => Path.Combine(DataDirectory, "logs");

    public Uri IdentityUrl { get; private set; } = null!;

    public Uri ApiUrl { get; private set; } = null!;

    public Uri PortalUrl { get; private set; } = null!;

    /// <summary>
    /// Where the quick exit leads: a neutral page served by the tests on this machine (in production an everyday site),
    /// so nothing leaves the machine and the browser really arrives somewhere else.
    /// </summary>
    public string NeutralSite { get; private set; } = null!;

    private HttpListener? neutralSite;

    /// <summary>The demo users the identity provider wrote on first start (passwords and TOTP secrets).</summary>
    public IReadOnlyList<DemoUser> Users { get; private set; } = [];

    public DemoUser User(string userName) => Users.Single(user => user.UserName == userName);

    private readonly Dictionary<string, StackBrowser> sessions = [];

    /// <summary>
    /// A signed-in HTTP session of a demo user, shared by the tests that only read or make their own changes: a staff
    /// member's code is accepted once per 30-second step, so signing in afresh for every test would wait on the clock.
    /// A test that ends its session (sign-out, quick exit) signs in with <see cref="StackBrowser.SignInAsync"/> instead.
    /// </summary>
    public async Task<StackBrowser> SessionAsync(string userName)
    {
        if (!sessions.TryGetValue(userName, out var session))
        {
            session = await StackBrowser.SignInAsync(this, userName);
            sessions[userName] = session;
        }

        return session;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Logs);
        NeutralSite = $"http://127.0.0.1:{AppProcess.FreeUrl().Port}/";
        StartNeutralSite();
        IdentityUrl = AppProcess.FreeUrl();
        ApiUrl = AppProcess.FreeUrl();
        PortalUrl = AppProcess.FreeUrl();
        var secret = Convert.ToHexString(Guid.NewGuid().ToByteArray()) + Convert.ToHexString(Guid.NewGuid().ToByteArray());
        var portal = PortalUrl.AbsoluteUri.TrimEnd('/');

        // Limits are those of one person per account: tests sign the same demo users in many times a minute.
        Start("identity", "Identity", "Consent.Identity", IdentityUrl, new()
        {
            ["Provider__Issuer"] = IdentityUrl.AbsoluteUri,
            ["Provider__Portal__RedirectUris__0"] = portal + "/callback/login/local",
            ["Provider__Portal__PostLogoutRedirectUris__0"] = portal + "/callback/logout/local",
            ["Provider__Api__ClientSecret"] = secret,
            ["RateLimits__LoginPerMinute"] = "10000",
            ["RateLimits__LoginPerAccountPerMinute"] = "10000",
            ["RateLimits__TokenPerMinute"] = "10000",
            ["Safety__QuickExitUrl"] = NeutralSite,
        });
        await WaitReadyAsync(IdentityUrl);
        var api = new Dictionary<string, string>
        {
            ["Auth__Authority"] = IdentityUrl.AbsoluteUri,
            ["Auth__IntrospectionSecret"] = secret,
            ["RateLimits__UserPerMinute"] = "100000",
            ["RateLimits__ClientPerMinute"] = "100000",
            ["RateLimits__AnonymousPerMinute"] = "100000",
        };
        foreach (var (key, value) in apiSettings)
        {
            api[key] = value;
        }

        Start("consent-api", "Consent.Api", "Consent.Api", ApiUrl, api);
        Start("portal", "Portal", "Consent.Portal", PortalUrl, new()
        {
            ["Oidc__Authority"] = IdentityUrl.AbsoluteUri,
            ["Api__BaseUrl"] = ApiUrl.AbsoluteUri,
            ["Safety__QuickExitUrl"] = NeutralSite,
        });
        await WaitReadyAsync(ApiUrl);
        await WaitReadyAsync(PortalUrl);

        var users = await File.ReadAllTextAsync(Path.Combine(DataDirectory, "demo", "users.json"));
        Users = JsonSerializer.Deserialize<List<DemoUser>>(users, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private void StartNeutralSite()
    {
        neutralSite = new HttpListener();
        neutralSite.Prefixes.Add(NeutralSite);
        neutralSite.Start();
        var page = Encoding.UTF8.GetBytes(
            "<!DOCTYPE html><html lang=\"en\"><head><title>Weather</title></head><body><h1>Today's forecast</h1></body></html>");
        _ = Task.Run(async () =>
        {
            while (neutralSite.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await neutralSite.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(page);
                context.Response.Close();
            }
        });
    }

    /// <summary>What the three processes wrote, for a failing test's message.</summary>
    public string Output() => string.Concat(processes.Select(process => $"--- {process.Name} ---\n{process.Output()}"));

    private void Start(string name, string project, string assembly, Uri url, Dictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Storage__DataDirectory"] = DataDirectory,
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        processes.Add(AppProcess.Start(name, RepositoryRoot(), project, assembly, url, Logs, environment, Repository.BuildConfiguration()));
    }

    private async Task WaitReadyAsync(Uri url)
    {
        try
        {
            await processes.Single(process => process.Url == url).WaitReadyAsync(probe, TimeSpan.FromSeconds(90));
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException($"{exception.Message}:\n{Output()}", exception);
        }
    }

    public Task DisposeAsync()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        neutralSite?.Close();
        foreach (var process in processes)
        {
            process.Dispose();
        }

        probe.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is cleaned by the system.
        }

        return Task.CompletedTask;
    }

    /// <summary>The folder holding Consent.sln.</summary>
    public static string RepositoryRoot() => Consent.TestSupport.Repository.Root();
}
