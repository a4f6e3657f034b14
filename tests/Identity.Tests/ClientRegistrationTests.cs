using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Identity.Tests;

/// <summary>A platform admin registers an agency system with its public key; that system then gets tokens.</summary>
public sealed class ClientRegistrationTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task PlatformOperator_RegistersAnAgencyKey_AndTheAgencyGetsATokenWithIt()
    {
        var http = host.CreateClient();
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p = ec.ExportParameters(true);
        var publicJwk = new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-384", ["kid"] = "victim-services-2026",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X!), ["y"] = Base64UrlEncoder.Encode(p.Q.Y!),
        };

        var response = await AsOperator(http, HttpMethod.Post, "/api/clients", new
        {
            agencyId = "new-hope-advocates",
            clientId = "new-hope-case-system",
            displayName = "New Hope case system",
            publicJwk,
            scopes = new[] { "system/Patient.rs", "system/Observation.rs" },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var registered = await response.Content.ReadFromJsonAsync<JsonElement>();
        registered.GetProperty("clientId").GetString().ShouldBe("new-hope-case-system");
        registered.TryGetProperty("clientSecret", out _).ShouldBeFalse();

        var privateJwk = new Dictionary<string, string>(publicJwk) { ["d"] = Base64UrlEncoder.Encode(p.D!) };
        var client = new DemoClient("new-hope-case-system", "new-hope-advocates", "", privateJwk, "ES384");
        var token = await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client), "system/Patient.rs");
        var (status, _, body) = await TokenRequests.ReadAsync(token);
        status.ShouldBe(200, body.ToString());
        new JsonWebToken(body.GetProperty("access_token").GetString()).GetClaim("agency_id").Value.ShouldBe("new-hope-advocates");

        // Scopes stay within the registration.
        var (beyond, error, _) = await TokenRequests.ReadAsync(
            await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client), "system/*.cruds"));
        beyond.ShouldBe(400);
        error.ShouldBe("invalid_scope");
    }

    [Fact]
    public async Task PrivateKeyInTheRegistration_IsRefused_WithAProblemPerField()
    {
        var demo = host.Client("harbor-house");
        var response = await AsOperator(host.CreateClient(), HttpMethod.Post, "/api/clients", new
        {
            agencyId = "leaky-agency",
            publicJwk = demo.PrivateJwk,
            scopes = new[] { "system/*.rs", "user/*.rs" },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("type").GetString().ShouldBe("https://consent.example/problems/invalid-client-registration");
        problem.GetProperty("errors").TryGetProperty("scopes", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task BadAgencyId_IsReported_WithoutAnErrorOnAClientIdNobodySent()
    {
        var response = await AsOperator(host.CreateClient(), HttpMethod.Post, "/api/clients", new { agencyId = "Not An Id!", issueSecret = true });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.TryGetProperty("agencyId", out _).ShouldBeTrue();
        errors.TryGetProperty("clientId", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task AgencyToken_CannotRegisterClients()
    {
        var http = host.CreateClient();
        var agencyToken = await TokenRequests.AgencyTokenAsync(http, host.Client("metro-police"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agencyToken);
        (await http.SendAsync(request)).StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task NoToken_Is401()
    {
        (await host.CreateClient().GetAsync("/api/clients")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SurvivorUserToken_CannotListClients_ButPlatformAdminCan()
    {
        var survivor = await UserTokenAsync("demo-survivor");
        var admin = await UserTokenAsync("demo-platform-admin");
        var http = host.CreateClient();

        // A survivor's token is not even addressed to the admin API.
        new JsonWebToken(survivor).Audiences.ShouldNotContain("identity-admin");
        using var asSurvivor = new HttpRequestMessage(HttpMethod.Get, "/api/clients");
        asSurvivor.Headers.Authorization = new AuthenticationHeaderValue("Bearer", survivor);
        (await http.SendAsync(asSurvivor)).StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden);

        using var asAdmin = new HttpRequestMessage(HttpMethod.Get, "/api/clients");
        asAdmin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var response = await http.SendAsync(asAdmin);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var clients = await response.Content.ReadFromJsonAsync<JsonElement>();
        clients.EnumerateArray().Select(c => c.GetProperty("agencyId").GetString()).ShouldContain("dcf-region-4");
        (await response.Content.ReadAsStringAsync()).ShouldNotContain("clientSecret");
    }

    private async Task<string> UserTokenAsync(string userName) =>
        (await TokenRequests.UserTokensAsync(host, userName)).GetProperty("access_token").GetString()!;

    private async Task<HttpResponseMessage> AsOperator(HttpClient http, HttpMethod method, string path, object body)
    {
        var platform = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "demo", "platform-client.json"))).RootElement;
        var (status, _, token) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(http,
            platform.GetProperty("clientId").GetString()!, platform.GetProperty("clientSecret").GetString()!, "platform/clients.manage"));
        status.ShouldBe(200, token.ToString());
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        return await http.SendAsync(request);
    }
}

/// <summary>Registration by JWKS URL: the keys are read once, at registration.</summary>
public sealed class JwksUrlRegistrationTests
{
    [Fact]
    public async Task JwksUrl_IsReadAtRegistration_AndItsKeysAreStored()
    {
        // The provider's own JWKS stands in for an agency's published key set (routed in-process).
        await using var host = IdentityHost.With(services: (self, services) =>
            services.AddHttpClient("AgencyClientRegistrar").AddHttpMessageHandler(() => new ForwardTo(self.Server.CreateHandler())));
        var http = host.CreateClient();
        var expected = JsonDocument.Parse(await http.GetStringAsync("/.well-known/jwks")).RootElement
            .GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();

        var platform = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "demo", "platform-client.json"))).RootElement;
        var (_, _, token) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(http,
            platform.GetProperty("clientId").GetString()!, platform.GetProperty("clientSecret").GetString()!, "platform/clients.manage"));

        async Task<HttpResponseMessage> Register(object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/clients") { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
            return await http.SendAsync(request);
        }

        var created = await Register(new { agencyId = "jwks-agency", jwksUrl = "http://localhost/.well-known/jwks" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var keyIds = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("keyIds").EnumerateArray().Select(k => k.GetString()).ToList();
        keyIds.ShouldBe(expected, ignoreOrder: true);

        var refused = await Register(new { agencyId = "jwks-agency-2", jwksUrl = "ftp://keys.example/jwks" });
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("jwksUrl", out _).ShouldBeTrue();
    }
}
