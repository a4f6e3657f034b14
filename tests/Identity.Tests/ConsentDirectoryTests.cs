using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Consent.Identity.Tests;

/// <summary>
/// Consent directories: system clients of an external consent decision service, registered by platform admins for one
/// purpose of use, reading patients, consents and organizations only; their tokens state the kind and the purpose.
/// </summary>
public sealed class ConsentDirectoryTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private const string InvalidRegistration = "https://consent.example/problems/invalid-client-registration";
    private static readonly string[] DirectoryScopes = ["system/Patient.rs", "system/Consent.rs", "system/Organization.rs"];

    private readonly HttpClient http = host.CreateClient();

    [Fact]
    public async Task Directory_WithAPurposeAndNoScopes_IsRegisteredForPatientsConsentsAndOrganizations()
    {
        var (key, publicJwk) = NewEcKey("county-cds-1");
        var response = await AsOperatorAsync(HttpMethod.Post, "/api/clients", new
        {
            kind = "consent-directory",
            purposeOfUse = "TREAT",
            agencyId = "harbor-house",
            clientId = "county-cds",
            displayName = "County consent decision service",
            publicJwk,
        });

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var registered = await response.Content.ReadFromJsonAsync<JsonElement>();
        registered.GetProperty("clientId").GetString().ShouldBe("county-cds");
        registered.GetProperty("agencyId").GetString().ShouldBe("harbor-house");
        registered.GetProperty("kind").GetString().ShouldBe("consent-directory");
        registered.GetProperty("purposeOfUse").GetString().ShouldBe("TREAT");
        Strings(registered.GetProperty("scopes")).ShouldBe(DirectoryScopes, ignoreOrder: true);
        Strings(registered.GetProperty("keyIds")).ShouldBe(["county-cds-1"]);
        registered.TryGetProperty("clientSecret", out _).ShouldBeFalse();

        // The list shows it the same way, and the new directory gets a token stating its purpose.
        var listed = (await (await AsOperatorAsync(HttpMethod.Get, "/api/clients")).Content.ReadFromJsonAsync<JsonElement>())
            .EnumerateArray().Single(c => c.GetProperty("clientId").GetString() == "county-cds");
        listed.GetProperty("kind").GetString().ShouldBe("consent-directory");
        listed.GetProperty("purposeOfUse").GetString().ShouldBe("TREAT");
        var directory = new DemoClient("county-cds", "harbor-house", "", key, "ES384", DemoClient.ConsentDirectoryKind, "TREAT");
        var token = await TokenAsync(directory, "system/Consent.rs");
        token.GetClaim("purpose_of_use").Value.ShouldBe("TREAT");
        token.GetClaim("client_kind").Value.ShouldBe("consent-directory");
    }

    [Fact]
    public async Task AgencySystem_IsRegisteredAsOne_WithNoPurpose_AndMayReadOrganizations()
    {
        var (_, publicJwk) = NewEcKey("intake-1");
        var response = await AsOperatorAsync(HttpMethod.Post, "/api/clients", new
        {
            agencyId = "bridge-legal",
            clientId = "bridge-legal-intake",
            publicJwk,
            scopes = new[] { "system/*.rs", "system/Organization.rs" },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var registered = await response.Content.ReadFromJsonAsync<JsonElement>();
        registered.GetProperty("kind").GetString().ShouldBe("agency-system");
        registered.TryGetProperty("purposeOfUse", out _).ShouldBeFalse();
        Strings(registered.GetProperty("scopes")).ShouldBe(["system/*.rs", "system/Organization.rs"], ignoreOrder: true);
    }

    [Fact]
    public async Task Directory_WithoutAPurpose_IsRefused_NamingPurposeOfUse()
    {
        var errors = await RefusedAsync(new { kind = "consent-directory", agencyId = "harbor-house", clientId = "no-purpose-cds", publicJwk = NewEcKey("k").Public });

        errors.Keys.ShouldBe(["purposeOfUse"]);
        await ShouldNotBeRegisteredAsync("no-purpose-cds");
    }

    [Theory]
    [InlineData("treat")]
    [InlineData("X")]
    [InlineData("ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ")]
    [InlineData("COC TREAT")]
    public async Task Directory_WithABadPurposeCode_IsRefused(string purposeOfUse)
    {
        var errors = await RefusedAsync(new
        {
            kind = "consent-directory", purposeOfUse, agencyId = "harbor-house", clientId = "bad-purpose-cds", publicJwk = NewEcKey("k").Public,
        });

        errors.Keys.ShouldBe(["purposeOfUse"]);
        await ShouldNotBeRegisteredAsync("bad-purpose-cds");
    }

    [Theory]
    [InlineData("system/*.rs")]
    [InlineData("system/Observation.rs")]
    [InlineData("system/Consent.cruds")]
    [InlineData("system/*.cruds")]
    public async Task Directory_WithAScopeBeyondPatientsConsentsAndOrganizations_IsRefused(string scope)
    {
        var errors = await RefusedAsync(new
        {
            kind = "consent-directory", purposeOfUse = "COC", agencyId = "harbor-house", clientId = "wide-cds",
            publicJwk = NewEcKey("k").Public, scopes = new[] { "system/Patient.rs", scope },
        });

        errors.Keys.ShouldBe(["scopes"]);
        errors["scopes"].Single().ShouldContain(scope);
        await ShouldNotBeRegisteredAsync("wide-cds");
    }

    [Fact]
    public async Task AgencySystem_WithAPurpose_IsRefused()
    {
        var errors = await RefusedAsync(new { agencyId = "harbor-house", clientId = "purposeful-system", purposeOfUse = "COC", publicJwk = NewEcKey("k").Public });

        errors.Keys.ShouldBe(["purposeOfUse"]);
        await ShouldNotBeRegisteredAsync("purposeful-system");
    }

    [Fact]
    public async Task UnknownKind_IsRefused()
    {
        var errors = await RefusedAsync(new { kind = "consent-service", agencyId = "harbor-house", clientId = "unknown-kind", publicJwk = NewEcKey("k").Public });

        errors.Keys.ShouldBe(["kind"]);
        await ShouldNotBeRegisteredAsync("unknown-kind");
    }

    [Fact]
    public async Task OrganizationsAreReadOnly_ForEveryKind()
    {
        var errors = await RefusedAsync(new { agencyId = "harbor-house", clientId = "org-writer", publicJwk = NewEcKey("k").Public, scopes = new[] { "system/Organization.cruds" } });

        errors.Keys.ShouldBe(["scopes"]);
        await ShouldNotBeRegisteredAsync("org-writer");
    }

    [Fact]
    public async Task DirectoryToken_StatesItsKindPurposeAndOperatingAgency_InTheAccessTokenOnly()
    {
        var directory = host.ConsentDirectory;
        var response = await TokenRequests.ClientCredentialsWithAssertion(http, directory.ClientId, ClientAssertions.Create(directory),
            "system/Patient.rs system/Consent.rs");
        var (status, error, body) = await TokenRequests.ReadAsync(response);

        status.ShouldBe(200, body.ToString());
        error.ShouldBeNull();
        body.GetProperty("expires_in").GetInt32().ShouldBeLessThanOrEqualTo(300);
        body.TryGetProperty("refresh_token", out _).ShouldBeFalse();
        body.TryGetProperty("id_token", out _).ShouldBeFalse();
        var token = new JsonWebToken(body.GetProperty("access_token").GetString());
        token.GetClaim("sub").Value.ShouldBe("harbor-house-consent-directory");
        token.GetClaim("client_kind").Value.ShouldBe("consent-directory");
        token.GetClaim("purpose_of_use").Value.ShouldBe("COC");
        token.GetClaim("agency_id").Value.ShouldBe("harbor-house");
        token.GetClaim("scope").Value.Split(' ').ShouldBe(["system/Patient.rs", "system/Consent.rs"], ignoreOrder: true);
        token.Audiences.ShouldBe(["consent-api"]);
    }

    [Fact]
    public async Task DirectoryToken_ForOrganizations_IsIssued()
    {
        var token = await TokenAsync(host.ConsentDirectory, "system/Organization.rs");
        token.GetClaim("scope").Value.ShouldBe("system/Organization.rs");
    }

    [Fact]
    public async Task AgencySystemToken_StatesItsKind_AndNoPurpose()
    {
        var token = await TokenAsync(host.Client("harbor-house"), "system/*.rs");

        token.GetClaim("client_kind").Value.ShouldBe("agency-system");
        token.GetClaim("agency_id").Value.ShouldBe("harbor-house");
        token.TryGetClaim("purpose_of_use", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task AgencySystem_RegisteredForEveryType_MayAskForOrganizations_ButNotWriteThem()
    {
        var client = host.Client("northside-clinic");
        (await TokenAsync(client, "system/Organization.rs")).GetClaim("scope").Value.ShouldBe("system/Organization.rs");

        var (status, error, body) = await TokenRequests.ReadAsync(
            await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client), "system/Organization.cruds"));
        status.ShouldBe(400);
        error.ShouldBe("invalid_scope");
        body.TryGetProperty("access_token", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("system/Observation.rs")]
    [InlineData("system/*.rs")]
    [InlineData("system/Consent.cruds")]
    [InlineData("system/Patient.rs system/Observation.rs")]
    public async Task Directory_AskingBeyondItsRegistration_IsRefused(string scope)
    {
        await TokenRequests.ShouldRefuseScopeAsync(http, host.ConsentDirectory, scope);
    }

    [Fact]
    public async Task Discovery_ListsOrganizationReads_AndNoOrganizationWrites()
    {
        var discovery = await http.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");

        var scopes = Strings(discovery.GetProperty("scopes_supported"));
        scopes.ShouldContain("system/Organization.rs");
        scopes.ShouldNotContain("system/Organization.cruds");
        Strings(discovery.GetProperty("claims_supported")).ShouldContain("purpose_of_use");
    }

    [Fact]
    public async Task DemoClientsFile_NamesEachClientsKind_AndTheDirectorysPurpose()
    {
        var clients = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "demo", "clients.json"))).RootElement.EnumerateArray().ToList();

        var directory = clients.Single(c => c.GetProperty("kind").GetString() == "consent-directory");
        directory.GetProperty("clientId").GetString().ShouldBe("harbor-house-consent-directory");
        directory.GetProperty("agencyId").GetString().ShouldBe("harbor-house");
        directory.GetProperty("purposeOfUse").GetString().ShouldBe("COC");
        directory.TryGetProperty("clientSecret", out _).ShouldBeFalse("a directory authenticates by its key alone");
        directory.GetProperty("privateKeyPem").GetString().ShouldStartWith("-----BEGIN PRIVATE KEY-----");

        var systems = clients.Where(c => c.GetProperty("kind").GetString() == "agency-system").ToList();
        systems.Count.ShouldBe(clients.Count - 1);
        // An agency system's entry is as before, with its kind beside the agency: no purpose, a secret.
        foreach (var system in systems)
        {
            system.EnumerateObject().Select(p => p.Name).ShouldBe(["clientId", "agencyId", "kind", "clientSecret", "privateJwk", "algorithm", "privateKeyPem"]);
        }
    }

    [Fact]
    public async Task AgencyAdmin_CannotRegisterSeeReKeyOrRemoveADirectory_EvenOneTheirAgencyOperates()
    {
        var admin = (await TokenRequests.UserTokensAsync(host, "demo-shelter-admin")).GetProperty("access_token").GetString()!;
        async Task<HttpResponseMessage> Send(HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            return await http.SendAsync(request);
        }

        var (_, publicJwk) = NewEcKey("shelter-cds");
        var refused = await Send(HttpMethod.Post, "/api/clients", new
        {
            kind = "consent-directory", purposeOfUse = "COC", agencyId = "harbor-house", clientId = "shelter-own-cds", publicJwk,
        });
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("type").GetString().ShouldBe("https://consent.example/problems/consent-directory-platform-admin");
        problem.GetProperty("status").GetInt32().ShouldBe(403);
        await ShouldNotBeRegisteredAsync("shelter-own-cds");

        // Harbor House operates the demo directory, yet for its admin it does not exist; its own systems still do.
        var listed = await (await Send(HttpMethod.Get, "/api/clients")).Content.ReadFromJsonAsync<JsonElement>();
        var ids = listed.EnumerateArray().Select(c => c.GetProperty("clientId").GetString()).ToList();
        ids.ShouldContain(host.Client("harbor-house").ClientId);
        ids.ShouldNotContain(host.ConsentDirectory.ClientId);
        listed.EnumerateArray().ShouldAllBe(c => c.GetProperty("kind").GetString() == "agency-system");

        var directoryId = host.ConsentDirectory.ClientId;
        (await Send(HttpMethod.Put, $"/api/clients/{directoryId}/keys", new { publicJwk })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Send(HttpMethod.Delete, $"/api/clients/{directoryId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Neither call changed it: the directory still gets tokens with its own key.
        (await TokenAsync(host.ConsentDirectory, "system/Consent.rs")).GetClaim("purpose_of_use").Value.ShouldBe("COC");
    }

    [Fact]
    public async Task PlatformOperator_ReKeysAndRemovesADirectory()
    {
        var (_, firstJwk) = NewEcKey("temp-cds-1");
        (await AsOperatorAsync(HttpMethod.Post, "/api/clients", new
        {
            kind = "consent-directory", purposeOfUse = "CAREMGT", agencyId = "northside-clinic", clientId = "temp-cds", publicJwk = firstJwk,
        })).StatusCode.ShouldBe(HttpStatusCode.Created);

        var (secondKey, secondJwk) = NewEcKey("temp-cds-2");
        var rekeyed = await AsOperatorAsync(HttpMethod.Put, "/api/clients/temp-cds/keys", new { publicJwk = secondJwk });
        rekeyed.StatusCode.ShouldBe(HttpStatusCode.OK, await rekeyed.Content.ReadAsStringAsync());
        var answer = await rekeyed.Content.ReadFromJsonAsync<JsonElement>();
        answer.GetProperty("kind").GetString().ShouldBe("consent-directory");
        answer.GetProperty("purposeOfUse").GetString().ShouldBe("CAREMGT");
        Strings(answer.GetProperty("keyIds")).ShouldBe(["temp-cds-2"]);
        var directory = new DemoClient("temp-cds", "northside-clinic", "", secondKey, "ES384", DemoClient.ConsentDirectoryKind, "CAREMGT");
        (await TokenAsync(directory, "system/Patient.rs")).GetClaim("purpose_of_use").Value.ShouldBe("CAREMGT");

        (await AsOperatorAsync(HttpMethod.Delete, "/api/clients/temp-cds")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await ShouldNotBeRegisteredAsync("temp-cds");
        await ClientCredentialsTests.ShouldBeRejected(
            await TokenRequests.ClientCredentialsWithAssertion(http, directory.ClientId, ClientAssertions.Create(directory), "system/Patient.rs"), "invalid_client");
    }

    private async Task<JsonWebToken> TokenAsync(DemoClient client, string scope)
    {
        var (status, _, body) = await TokenRequests.ReadAsync(
            await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client), scope));
        status.ShouldBe(200, body.ToString());
        return new JsonWebToken(body.GetProperty("access_token").GetString());
    }

    /// <summary>A 400 ValidationProblem of the registration; its errors by field.</summary>
    private async Task<Dictionary<string, string[]>> RefusedAsync(object registration)
    {
        var response = await AsOperatorAsync(HttpMethod.Post, "/api/clients", registration);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("type").GetString().ShouldBe(InvalidRegistration);
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    private async Task ShouldNotBeRegisteredAsync(string clientId)
    {
        var listed = await (await AsOperatorAsync(HttpMethod.Get, "/api/clients")).Content.ReadFromJsonAsync<JsonElement>();
        listed.EnumerateArray().Select(c => c.GetProperty("clientId").GetString()).ShouldNotContain(clientId);
    }

    private async Task<HttpResponseMessage> AsOperatorAsync(HttpMethod method, string path, object? body = null)
    {
        var platform = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "demo", "platform-client.json"))).RootElement;
        var (status, _, token) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(http,
            platform.GetProperty("clientId").GetString()!, platform.GetProperty("clientSecret").GetString()!, "platform/clients.manage"));
        status.ShouldBe(200, token.ToString());
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        return await http.SendAsync(request);
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

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
