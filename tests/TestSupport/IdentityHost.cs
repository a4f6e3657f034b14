using System.Text.Json;
using Consent.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.TestSupport;

/// <summary>
/// The real identity provider, in-process, on its own temporary data directory (SQLite file, keys, demo
/// credential files), seeded with the demo data exactly as <c>./run.sh</c> seeds it.
/// </summary>
public class IdentityHost : WebApplicationFactory<IdentityEntryPoint>
{
    public const string Issuer = "http://localhost/";
    public const string TokenEndpoint = Issuer + "connect/token";
    public const string PortalRedirectUri = "http://localhost:5003/callback/login/local";

    /// <summary>The consent API's secret as the provider's introspection client (test hosts only).</summary>
    public const string ApiIntrospectionSecret = "test-introspection-secret-0123456789";

    private readonly Dictionary<string, string?> settings;

    public IdentityHost()
        : this(null)
    {
    }

    /// <summary>A host with its own settings (other data directory, issuer, limits or environment).</summary>
    public static IdentityHost With(string? dataDirectory = null, string issuer = Issuer, IDictionary<string, string?>? overrides = null,
        string environment = "Development", Action<IdentityHost, IServiceCollection>? services = null) =>
        new(dataDirectory, issuer, overrides, environment) { extraServices = services };

    private Action<IdentityHost, IServiceCollection>? extraServices;
    private readonly bool ownsDirectory;

    private IdentityHost(string? dataDirectory, string issuer = Issuer, IDictionary<string, string?>? overrides = null, string environment = "Development")
    {
        Environment = environment;
        ownsDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n"));
        settings = new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = DataDirectory,
            ["Provider:Issuer"] = issuer,
            ["Provider:RequireHttps"] = "false",
            ["Provider:Portal:RedirectUris:0"] = PortalRedirectUri,
            ["Provider:Portal:PostLogoutRedirectUris:0"] = "http://localhost:5003/callback/logout/local",
            ["Demo:Seed"] = "true",
            ["Provider:Api:ClientSecret"] = ApiIntrospectionSecret,
            ["RateLimits:LoginPerMinute"] = "1000",
            ["RateLimits:LoginPerAccountPerMinute"] = "1000",
            ["RateLimits:TokenPerMinute"] = "1000",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    public string Environment { get; }

    public IReadOnlyList<DemoClient> Clients => Read<List<DemoClient>>("clients.json");

    public IReadOnlyList<DemoUser> Users => Read<List<DemoUser>>("users.json");

    /// <summary>The agency's demo system (not the consent directory Harbor House operates).</summary>
    public DemoClient Client(string agencyId) => Clients.Single(c => c.AgencyId == agencyId && c.IsAgencySystem);

    /// <summary>The demo consent directory, operated by Harbor House, registered for the purpose COC.</summary>
    public DemoClient ConsentDirectory => Clients.Single(c => c.Kind == DemoClient.ConsentDirectoryKind);

    public DemoUser User(string userName) => Users.Single(u => u.UserName == userName);

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (tests look at each hop).</summary>
    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri(Issuer.StartsWith("http://localhost/", StringComparison.Ordinal) ? Issuer : "http://localhost/"),
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (extraServices is not null)
        {
            builder.ConfigureTestServices(services => extraServices(this, services));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!ownsDirectory)
        {
            return; // a folder handed in is the caller's (e.g. to restart on the same data)
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary folder left behind harms nothing.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private T Read<T>(string file)
    {
        _ = Server; // make sure the host (and its seed) has started
        var json = File.ReadAllText(Path.Combine(DataDirectory, "demo", file));
        return JsonSerializer.Deserialize<T>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }
}

/// <summary>A demo client as <c>demo/clients.json</c> holds it; a consent directory has a purpose of use and no secret.</summary>
public sealed record DemoClient(string ClientId, string AgencyId, string ClientSecret, Dictionary<string, string> PrivateJwk, string Algorithm,
    string Kind = DemoClient.AgencySystemKind, string? PurposeOfUse = null)
{
    public const string AgencySystemKind = "agency-system";
    public const string ConsentDirectoryKind = "consent-directory";

    public bool IsAgencySystem => Kind == AgencySystemKind;

    /// <summary>An agency's system among the demo clients the provider wrote into <paramref name="dataDirectory"/> (Development).</summary>
    public static DemoClient AgencySystemIn(string dataDirectory, string agencyId) =>
        JsonSerializer.Deserialize<List<DemoClient>>(File.ReadAllText(Path.Combine(dataDirectory, "demo", "clients.json")),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Single(c => c.AgencyId == agencyId && c.IsAgencySystem);
}

public sealed record DemoUser(string UserName, string Password, string Role, string? AgencyId, string? SurvivorId, string? TotpSecret);
