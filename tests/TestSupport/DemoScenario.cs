using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Consent.TestSupport;

/// <summary>
/// A record and the consent that lets the clinic read it, made over HTTP against running apps (processes started with
/// <see cref="AppProcess"/>, demo data on) as the agencies and the survivor would: the shelter's system writes a Patient
/// linked to the demo survivor and an Observation; the survivor signs in through the login form and grants Northside
/// Clinic health records for treatment. The benchmarks and the multi-instance tests start from it.
/// </summary>
public sealed class DemoScenario(Uri identity, Uri api, string dataDirectory)
{
    public const string Survivor = "sv-1001";
    public const string Shelter = "harbor-house";
    public const string Clinic = "northside-clinic";
    public const string Purpose = "TREAT";

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http = new();
    private readonly HttpClient provider = new() { BaseAddress = identity };

    public async Task<string> SeedObservationAsync() => (await SeedAsync()).Observation;

    /// <summary>The Patient and Observation the shelter writes, after the survivor's grant to the clinic.</summary>
    public async Task<(string Patient, string Observation)> SeedAsync()
    {
        var shelter = await AgencyTokenAsync(Shelter, "system/*.cruds");
        var patient = await CreateAsync(shelter, "Patient", new
        {
            resourceType = "Patient",
            identifier = new[] { new { system = "https://consent.example/fhir/sid/survivor", value = Survivor } },
            gender = "female",
        });
        var observation = await CreateAsync(shelter, "Observation", new
        {
            resourceType = "Observation",
            status = "final",
            code = new { text = "blood pressure" },
            subject = new { reference = "Patient/" + patient },
        });

        var survivor = await SurvivorTokenAsync();
        using var grant = new HttpRequestMessage(HttpMethod.Post, new Uri(api, $"api/survivors/{Survivor}/consents"))
        {
            Content = JsonContent.Create(new
            {
                recipientAgencyId = Clinic,
                sourceAgencyIds = new[] { Shelter },
                categories = new[] { "health" },
                purposes = new[] { "treatment" },
                consentTextId = "general-sharing",
                consentTextVersion = "3",
                language = "en",
            }),
        };
        grant.Headers.Authorization = new AuthenticationHeaderValue("Bearer", survivor);
        await ExpectAsync(await http.SendAsync(grant), HttpStatusCode.Created, "the survivor's grant to the clinic");
        return (patient, observation);
    }

    /// <summary>An agency system's token by client_credentials with the demo client secret.</summary>
    public async Task<string> AgencyTokenAsync(string agencyId, string scope)
    {
        var client = AgencyClient(agencyId);
        var response = await TokenRequests.ClientCredentialsWithSecret(provider, client.ClientId, client.ClientSecret, scope);
        var body = await ExpectAsync(response, HttpStatusCode.OK, $"the token of {client.ClientId}");
        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>GET with the clinic's headers; the status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Purpose-Of-Use", Purpose);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The demo survivor's access token, signed in through the login form (code flow with PKCE).</summary>
    public Task<string> SurvivorTokenAsync() => UserTokenAsync(u => u.SurvivorId == Survivor);

    /// <summary>The demo compliance officer's access token (password and authenticator code, code flow with PKCE).</summary>
    public Task<string> ComplianceTokenAsync() => UserTokenAsync(u => u.Role == "compliance");

    /// <summary>The demo agency system's client, for client assertions.</summary>
    public DemoClient AgencyClient(string agencyId) => DemoClient.AgencySystemIn(dataDirectory, agencyId);

    private async Task<string> UserTokenAsync(Func<DemoUser, bool> which)
    {
        var user = Read<List<DemoUser>>("users.json").First(which);
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = identity };
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(user, challenge);
        var (status, _, body) = await TokenRequests.RedeemCodeAsync(browser, code, verifier);
        return status == 200
            ? body.GetProperty("access_token").GetString()!
            : throw new InvalidOperationException($"The survivor's code redemption answered {status}: {body}");
    }

    private async Task<string> CreateAsync(string token, string type, object resource)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "fhir/" + type))
        {
            Content = new StringContent(JsonSerializer.Serialize(resource), Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var body = await ExpectAsync(await http.SendAsync(request), HttpStatusCode.Created, "the shelter's " + type);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<string> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == expected
                ? body
                : throw new InvalidOperationException($"Seeding {what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        }
    }

    private T Read<T>(string file) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(dataDirectory, "demo", file)), Web)!;
}
