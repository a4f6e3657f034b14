using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>FHIR calls as an agency system makes them, and the disclosure log as the database holds it.</summary>
public static class FhirCalls
{
    public const string SurvivorSystem = "https://consent.example/fhir/sid/survivor";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    public static readonly JsonSerializerOptions WithoutNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static async Task<string> CreateAsync(this HttpClient agency, string type, object resource)
    {
        var response = await agency.SendAsync(Write(HttpMethod.Post, "/fhir/" + type, JsonSerializer.Serialize(resource, WithoutNulls)));
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static HttpRequestMessage Write(HttpMethod method, string url, string json, string contentType = "application/fhir+json") => new(method, url)
    {
        Content = new StringContent(json, Encoding.UTF8, contentType),
    };

    public static Task<HttpResponseMessage> ReadAsync(this HttpClient agency, string url, string? purpose = "TREAT", string? breakGlass = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (purpose is not null)
        {
            request.Headers.Add("X-Purpose-Of-Use", purpose);
        }

        if (breakGlass is not null)
        {
            request.Headers.Add("X-Break-Glass-Reason", breakGlass);
        }

        return agency.SendAsync(request);
    }

    public static async Task<JsonElement> Fhir(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The OperationOutcome of an error, checked for its status and issue code; the body returned for comparisons.</summary>
    public static async Task<string> Outcome(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        var outcome = JsonDocument.Parse(body).RootElement;
        outcome.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        outcome.GetProperty("issue")[0].GetProperty("code").GetString().ShouldBe(code);
        body.ShouldNotContain("   at ");
        return body;
    }

    public static IEnumerable<string> EntryIds(this JsonElement bundle) =>
        bundle.TryGetProperty("entry", out var entries)
            ? entries.EnumerateArray().Where(e => e.GetProperty("search").GetProperty("mode").GetString() == "match")
                .Select(e => e.GetProperty("resource").GetProperty("resourceType").GetString() + "/" + e.GetProperty("resource").GetProperty("id").GetString())
            : [];

    public static object Patient(string? survivorId, string mrn, params object[] security) => new
    {
        resourceType = "Patient",
        meta = security.Length == 0 ? null : new { security },
        identifier = survivorId is null
            ? new object[] { new { system = "https://agency.example/mrn", value = mrn } }
            : [new { system = SurvivorSystem, value = survivorId }, new { system = "https://agency.example/mrn", value = mrn }],
        gender = "female",
    };

    public static object Observation(string patientId, string text, params object[] security) => new
    {
        resourceType = "Observation",
        meta = security.Length == 0 ? null : new { security },
        status = "final",
        category = new[] { new { coding = new[] { new { system = "http://terminology.hl7.org/CodeSystem/observation-category", code = "vital-signs" } } } },
        code = new { text },
        subject = new { reference = "Patient/" + patientId },
    };

    public static object Condition(string patientId, string text, params object[] security) => new
    {
        resourceType = "Condition",
        meta = security.Length == 0 ? null : new { security },
        code = new { text },
        subject = new { reference = "Patient/" + patientId },
    };

    public static object EpisodeOfCare(string patientId) => new
    {
        resourceType = "EpisodeOfCare",
        status = "active",
        patient = new { reference = "Patient/" + patientId },
    };

    public static object Label(string code, string system = ActCode) => new { system, code };

    /// <summary>The log's entries after <paramref name="afterSequence"/>, read from the database.</summary>
    public static async Task<List<DisclosureEntry>> LogAsync(this ApiHost api, long afterSequence = 0)
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        return await db.Disclosures.AsNoTracking().Where(e => e.Sequence > afterSequence).OrderBy(e => e.Sequence).ToListAsync();
    }

    public static async Task<long> LogHeadAsync(this ApiHost api)
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        return await db.Disclosures.MaxAsync(e => (long?)e.Sequence) ?? 0;
    }

    /// <summary>An MOU drafted by the first party's admin and signed by every party's admin (created where the demo has none).</summary>
    public static async Task<string> ActiveMouAsync(this ApiHost api, string[] parties, string[] purposes, string[] categories,
        DateTimeOffset? expiresAt = null, bool allowsEmergencyAccess = false)
    {
        var admins = new List<HttpClient>();
        foreach (var agency in parties)
        {
            admins.Add(agency switch
            {
                "harbor-house" => await api.Parties.ShelterAdmin(),
                "northside-clinic" => await api.Parties.ClinicAdmin(),
                _ => await api.Parties.As(await api.Parties.CreateUserAsync("agency-admin", agencyId: agency)),
            });
        }

        var now = api.Clock.GetUtcNow();
        var (url, sha256) = await MousTests.DraftWithDocumentAsync(admins[0], new
        {
            title = "Test MOU",
            partyAgencyIds = parties,
            purposes,
            categories,
            effectiveFrom = now.AddMinutes(-1),
            expiresAt = expiresAt ?? now.AddYears(1),
            allowsEmergencyAccess,
        });
        await (await admins[0].PostEmpty(url + "/submit")).Json();
        foreach (var admin in admins)
        {
            await (await admin.Post(url + "/sign", new { documentSha256 = sha256 })).Json();
        }

        return url[(url.LastIndexOf('/') + 1)..];
    }
}
