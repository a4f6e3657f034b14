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

    [Fact]
    public async Task AgencyAdmin_ManagesTheirOwnAgencysSystems_AndNoOneElses()
    {
        var token = await UserTokenAsync("demo-shelter-admin");
        new JsonWebToken(token).Audiences.ShouldContain("identity-admin");
        var http = host.CreateClient();
        async Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await http.SendAsync(request);
        }

        // The list holds the shelter's own systems and no other agency's.
        var listed = await (await Send(HttpMethod.Get, "/api/clients")).Content.ReadFromJsonAsync<JsonElement>();
        listed.GetArrayLength().ShouldBeGreaterThan(0);
        listed.EnumerateArray().Select(c => c.GetProperty("agencyId").GetString()).ShouldAllBe(agency => agency == "harbor-house");

        var (firstKey, firstJwk) = NewEcKey("shelter-first");
        (await Send(HttpMethod.Post, "/api/clients", new { agencyId = "northside-clinic", clientId = "not-ours", publicJwk = firstJwk }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var created = await Send(HttpMethod.Post, "/api/clients", new { agencyId = "harbor-house", clientId = "harbor-intake-system", publicJwk = firstJwk });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var system = new DemoClient("harbor-intake-system", "harbor-house", "", firstKey, "ES384");
        await ShouldGetTokenAsync(http, system);

        // A new key replaces the old one at once.
        var (secondKey, secondJwk) = NewEcKey("shelter-second");
        var rotated = await Send(HttpMethod.Put, "/api/clients/harbor-intake-system/keys", new { publicJwk = secondJwk });
        rotated.StatusCode.ShouldBe(HttpStatusCode.OK, await rotated.Content.ReadAsStringAsync());
        (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("keyIds").EnumerateArray().Select(k => k.GetString()).ShouldBe(["shelter-second"]);
        await ClientCredentialsTests.ShouldBeRejected(
            await TokenRequests.ClientCredentialsWithAssertion(http, system.ClientId, ClientAssertions.Create(system)), "invalid_client");
        var rekeyed = system with { PrivateJwk = secondKey };
        await ShouldGetTokenAsync(http, rekeyed);
        var privatePart = await Send(HttpMethod.Put, "/api/clients/harbor-intake-system/keys", new { publicJwk = secondKey });
        privatePart.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await privatePart.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("publicJwk", out _).ShouldBeTrue();

        // Another agency's system does not exist for this admin, and agencies are suspended by platform admins only.
        var clinicSystem = host.Client("northside-clinic").ClientId;
        (await Send(HttpMethod.Put, $"/api/clients/{clinicSystem}/keys", new { publicJwk = secondJwk })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Send(HttpMethod.Delete, $"/api/clients/{clinicSystem}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await ShouldGetTokenAsync(http, host.Client("northside-clinic"));
        (await Send(HttpMethod.Put, "/api/clients/agencies/northside-clinic/status", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await Send(HttpMethod.Delete, "/api/clients/harbor-intake-system")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await ClientCredentialsTests.ShouldBeRejected(
            await TokenRequests.ClientCredentialsWithAssertion(http, rekeyed.ClientId, ClientAssertions.Create(rekeyed)), "invalid_client");
    }

    private static (Dictionary<string, string> Private, Dictionary<string, string> Public) NewEcKey(string kid)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p = ec.ExportParameters(true);
        var publicJwk = new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-384", ["kid"] = kid, ["x"] = Base64UrlEncoder.Encode(p.Q.X!), ["y"] = Base64UrlEncoder.Encode(p.Q.Y!),
        };
        return (new Dictionary<string, string>(publicJwk) { ["d"] = Base64UrlEncoder.Encode(p.D!) }, publicJwk);
    }

    private static async Task ShouldGetTokenAsync(HttpClient http, DemoClient client)
    {
        var (status, _, body) = await TokenRequests.ReadAsync(
            await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client)));
        status.ShouldBe(200, body.ToString());
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
