namespace Consent.TestSupport;

/// <summary>
/// Identity and any number of Consent API instances as processes (<see cref="AppProcess"/>), in Development (demo data
/// on), sharing one data folder and the API's introspection secret, each ready before the next starts: the deployments
/// the benchmarks load and the multi-instance tests kill. The apps' output is kept in the data folder's <c>logs</c>.
/// </summary>
public sealed class PlatformProcesses : IDisposable
{
    private readonly string root;
    private readonly string configuration;
    private readonly string secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly List<AppProcess> apis = [];
    private readonly List<AppProcess> identities = [];
    private readonly HttpClient probe = new();

    /// <param name="configuration">The build the apps run from: Release for the benchmarks, the tests' own for the tests.</param>
    public PlatformProcesses(string root, string configuration, string dataDirectory)
    {
        this.root = root;
        this.configuration = configuration;
        DataDirectory = dataDirectory;
        Logs = Directory.CreateDirectory(Path.Combine(dataDirectory, "logs")).FullName;
    }

    public string DataDirectory { get; }

    public string Logs { get; }

    /// <summary>The issuer: the first Identity instance's URL, which the API instances trust.</summary>
    public Uri IdentityUrl { get; } = AppProcess.FreeUrl();

    /// <summary>The first Identity instance.</summary>
    public AppProcess? Identity => identities.FirstOrDefault();

    public IReadOnlyList<AppProcess> Identities => identities;

    public IReadOnlyList<AppProcess> Apis => apis;

    /// <summary>
    /// Starts one more Identity instance (the first at <see cref="IdentityUrl"/>, any other on a port of its own, all with
    /// that issuer, as behind a load balancer), with the portal's demo redirect, and waits until it is ready.
    /// </summary>
    public async Task<AppProcess> StartIdentityAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var identity = AppProcess.Start($"identity-{identities.Count + 1}", root, "Identity", "Consent.Identity",
            identities.Count == 0 ? IdentityUrl : AppProcess.FreeUrl(), Logs, With(settings, new()
            {
                ["Provider__Issuer"] = IdentityUrl.ToString(),
                ["Provider__Portal__RedirectUris__0"] = IdentityHost.PortalRedirectUri,
                ["Provider__Api__ClientSecret"] = secret,
            }), configuration);
        identities.Add(identity);
        await identity.WaitReadyAsync(probe, TimeSpan.FromSeconds(120));
        return identity;
    }

    /// <summary>Starts one more Consent API instance, trusting <see cref="IdentityUrl"/>, and waits until it is ready.</summary>
    public async Task<AppProcess> StartApiAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var api = AppProcess.Start($"consent-api-{apis.Count + 1}", root, "Consent.Api", "Consent.Api", AppProcess.FreeUrl(), Logs, With(settings, new()
        {
            ["Auth__Authority"] = IdentityUrl.ToString(),
            ["Auth__IntrospectionSecret"] = secret,
        }), configuration);
        apis.Add(api);
        await api.WaitReadyAsync(probe, TimeSpan.FromSeconds(120));
        return api;
    }

    /// <summary>Stops every Consent API instance (Identity keeps running), e.g. to change the database under them and start them again.</summary>
    public void StopApis()
    {
        foreach (var api in apis)
        {
            api.Dispose();
        }

        apis.Clear();
    }

    /// <summary>Stops every app (the data folder stays: the caller decides whether to keep it).</summary>
    public void Dispose()
    {
        foreach (var api in apis)
        {
            api.Dispose();
        }

        foreach (var identity in identities)
        {
            identity.Dispose();
        }

        probe.Dispose();
    }

    private Dictionary<string, string> With(IReadOnlyDictionary<string, string>? settings, Dictionary<string, string> app)
    {
        app["ASPNETCORE_ENVIRONMENT"] = "Development";
        app["DOTNET_ENVIRONMENT"] = "Development";
        app["Storage__DataDirectory"] = DataDirectory;
        app["Serilog__MinimumLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            app[key] = value;
        }

        return app;
    }
}
