using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Consent.Api.Fhir;
using Consent.TestSupport;
using Microsoft.AspNetCore.Hosting;

namespace Consent.Api.Tests;

/// <summary>The benchmark's bare read discloses records to any valid token: it must exist only when switched on.</summary>
public sealed class BareReadBenchmarkTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task BareRead_ByDefault_IsNotMapped_EvenWithAValidToken()
    {
        var shelter = await api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient("sv-1001", "HH-bare-off"));

        foreach (var path in new[] { "bare", "bare-unchecked" })
        {
            var response = await shelter.GetAsync($"/bench/{path}/Patient/{patient}");

            response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await response.Content.ReadAsStringAsync()).ShouldNotContain(patient);
        }
    }

    [Fact]
    public async Task BareRead_WhenSwitchedOn_RequiresAToken_AndReturnsTheStoredRecord()
    {
        await using var bench = api.WithWebHostBuilder(builder => builder.UseSetting(BareReadBenchmark.Setting, "true"));
        var token = await TokenRequests.AgencyTokenAsync(api.Identity.CreateClient(), api.Identity.Client("harbor-house"), "system/*.cruds");
        var shelter = bench.CreateClient();
        shelter.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient("sv-1001", "HH-bare-on"));

        var anonymous = await bench.CreateClient().GetAsync($"/bench/bare/Patient/{patient}");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await anonymous.Content.ReadAsStringAsync()).ShouldNotContain(patient);

        var read = await shelter.GetAsync($"/bench/bare/Patient/{patient}");
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        read.Content.Headers.ContentType!.MediaType.ShouldBe(FhirModel.ContentType);
        JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString().ShouldBe(patient);
        var uncheckedRead = await shelter.GetAsync($"/bench/bare-unchecked/Patient/{patient}");
        uncheckedRead.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await uncheckedRead.Content.ReadAsStringAsync()).ShouldBe(await read.Content.ReadAsStringAsync());
        (await bench.CreateClient().GetAsync($"/bench/bare-unchecked/Patient/{patient}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
