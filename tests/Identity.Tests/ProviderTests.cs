using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Consent.TestSupport;

namespace Consent.Identity.Tests;

/// <summary>Discovery, key persistence, health, and the demo files' Development-only rule.</summary>
public sealed class ProviderTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task Discovery_PublishesEveryEndpoint_AndOnlyS256()
    {
        var discovery = await host.CreateClient().GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        foreach (var endpoint in new[] { "authorization_endpoint", "token_endpoint", "jwks_uri", "introspection_endpoint", "revocation_endpoint", "userinfo_endpoint", "end_session_endpoint" })
        {
            discovery.GetProperty(endpoint).GetString().ShouldStartWith("http://localhost/");
        }

        discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()).ShouldBe(["S256"]);
        discovery.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()).ShouldContain("private_key_jwt");
    }

    [Fact]
    public async Task SigningKeys_SurviveARestart_AndTheJwksHoldsNoPrivatePart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n"));
        string first;
        await using (var a = IdentityHost.With(directory))
        {
            first = await a.CreateClient().GetStringAsync("/.well-known/jwks");
        }

        await using var b = IdentityHost.With(directory);
        var second = await b.CreateClient().GetStringAsync("/.well-known/jwks");

        Kids(second).ShouldBe(Kids(first));
        Kids(first).ShouldNotBeEmpty();
        foreach (var key in JsonDocument.Parse(second).RootElement.GetProperty("keys").EnumerateArray())
        {
            key.TryGetProperty("d", out _).ShouldBeFalse();
            key.TryGetProperty("p", out _).ShouldBeFalse();
        }
    }

    [Fact]
    public async Task DemoCredentialFiles_AreNeverWrittenOutsideDevelopment()
    {
        await using var production = IdentityHost.With(environment: "Production");
        (await production.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        Directory.Exists(Path.Combine(production.DataDirectory, "demo")).ShouldBeFalse();
        host.Clients.ShouldNotBeEmpty(); // the Development host did write them
        Directory.Exists(Path.Combine(host.DataDirectory, "demo")).ShouldBeTrue();
    }

    [Fact]
    public async Task Health_LiveAndReady_AnswerWithoutAToken()
    {
        var http = host.CreateClient();
        (await http.GetStringAsync("/health/live")).ShouldBe("Healthy");
        (await http.GetStringAsync("/health/ready")).ShouldBe("Healthy");
    }

    [Fact]
    public async Task UnknownPath_Is404ProblemDetails_WithoutStackTrace()
    {
        var response = await host.CreateClient().GetAsync("/no/such/page");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("   at ");
    }

    private static List<string> Kids(string jwks) =>
        [.. JsonDocument.Parse(jwks).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).Order()];
}
