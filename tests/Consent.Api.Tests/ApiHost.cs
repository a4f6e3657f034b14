using Consent.Api;
using Consent.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenIddict.Validation;

namespace Consent.Api.Tests;

/// <summary>
/// Consent.Api in-process, trusting the real identity provider (also in-process): the API fetches the
/// provider's discovery document and JWKS over HTTP, routed to the provider's test server.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<ApiEntryPoint>
{
    private IReadOnlyDictionary<string, string?> settings = new Dictionary<string, string?>();

    /// <summary>A host with these settings on top of the test defaults (a fixture needs the one public constructor).</summary>
    public static ApiHost With(IReadOnlyDictionary<string, string?> settings) => new() { settings = settings };

    public IdentityHost Identity { get; } = new();

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n"));

    /// <summary>The API's clock: tests move it forward to see grants, MOUs and bases expire.</summary>
    public MovableClock Clock { get; } = new();

    /// <summary>Real users and agency systems, with their tokens from the real provider.</summary>
    public Parties Parties => parties ??= new Parties(this);

    /// <summary>Every answer this host gave, per operation and status, to compare with the OpenAPI document.</summary>
    public ObservedAnswers Answers { get; } = new();

    private Parties? parties;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Rate limits high enough that no other test meets them; RateLimitTests sets low ones.
        builder.UseTestDefaults(Identity, DataDirectory);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter>(Answers);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            // Tokens come from the provider's real clock: only the consent domain moves through time.
            services.Configure<OpenIddictValidationOptions>(options => options.TimeProvider = TimeProvider.System);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await Identity.DisposeAsync();
        await base.DisposeAsync();
    }
}
