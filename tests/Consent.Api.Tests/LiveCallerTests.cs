using System.Net;
using System.Text.Json;
using Consent.TestSupport;

namespace Consent.Api.Tests;

/// <summary>The API asking the provider about every token (no cache), so a revocation shows on the next request.</summary>
public sealed class UncachedRevocationApi : IAsyncLifetime
{
    public ApiHost Api { get; } = ApiHost.With(new Dictionary<string, string?> { ["Auth:RevocationCacheSeconds"] = "0" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>A token revoked at the provider, and an agency a platform admin deactivated, stop working at the API.</summary>
public sealed class LiveCallerTests(UncachedRevocationApi host) : IClassFixture<UncachedRevocationApi>
{
    private ApiHost Api => host.Api;

    [Fact]
    public async Task AccessToken_RevokedAtTheProvider_IsRefusedAtTheApi_On_Api_And_Fhir()
    {
        var tokens = await TokenRequests.UserTokensAsync(Api.Identity, "demo-survivor");
        var access = tokens.GetProperty("access_token").GetString()!;
        var survivor = Client(access);
        (await survivor.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var revoke = await Api.Identity.CreateBrowser().PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = access, ["token_type_hint"] = "access_token", ["client_id"] = BrowserLogin.PortalClientId,
        }));
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);

        var refused = await survivor.GetAsync("/api/me");
        var body = await refused.Problem(HttpStatusCode.Unauthorized, "token-not-active");
        refused.Headers.WwwAuthenticate.ToString().ShouldContain("invalid_token");
        body.ShouldNotContain("sv-1001");
        var fhir = await survivor.GetAsync("/fhir/Patient/anything");
        fhir.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        JsonDocument.Parse(await fhir.Content.ReadAsStringAsync()).RootElement.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
    }

    [Fact]
    public async Task AgencySystemToken_RevokedByItsClient_IsRefused()
    {
        var client = Api.Identity.Client("harbor-house");
        var access = await TokenRequests.AgencyTokenAsync(Api.Identity.CreateClient(), client);
        var system = Client(access);
        (await system.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var revoke = await Api.Identity.CreateClient().PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = access,
            ["client_id"] = client.ClientId,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = ClientAssertions.Create(client, IdentityHost.Issuer + "connect/revoke"),
        }));
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK, await revoke.Content.ReadAsStringAsync());

        await (await system.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized, "token-not-active");
    }

    [Fact]
    public async Task DeactivatedAgency_CannotRead_Write_AskForConsent_OrBreakTheGlass_UntilReactivated()
    {
        var clinic = await Api.Parties.AgencySystem("northside-clinic", "system/*.cruds");
        var clinicAdmin = await Api.Parties.ClinicAdmin();
        var admin = await Api.Parties.PlatformAdmin();
        (await clinic.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var agency = await (await admin.GetAsync("/api/agencies/northside-clinic")).Json();
        (await admin.Put("/api/agencies/northside-clinic", new { name = agency.GetProperty("name").GetString(), type = agency.GetProperty("type").GetString(), active = false }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        await (await clinic.GetAsync("/api/me")).Problem(HttpStatusCode.Forbidden, "agency-inactive");
        await (await clinicAdmin.GetAsync("/api/me")).Problem(HttpStatusCode.Forbidden, "agency-inactive");
        await (await clinic.Post("/api/break-glass", new { survivorId = "sv-1001", reason = "Unconscious in the emergency department" }))
            .Problem(HttpStatusCode.Forbidden, "agency-inactive");
        await (await clinic.Post("/api/consent-requests", new { survivorId = "sv-1001", categories = new[] { "health" }, purposes = new[] { "treatment" } }))
            .Problem(HttpStatusCode.Forbidden, "agency-inactive");
        var write = await clinic.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", JsonSerializer.Serialize(FhirCalls.Patient(null, "X"))));
        write.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var outcome = await write.Content.ReadAsStringAsync();
        JsonDocument.Parse(outcome).RootElement.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        var read = await clinic.ReadAsync("/fhir/Observation/obs-none");
        read.StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await admin.Put("/api/agencies/northside-clinic", new { name = agency.GetProperty("name").GetString(), type = agency.GetProperty("type").GetString(), active = true }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clinic.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private HttpClient Client(string token)
    {
        var client = Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
