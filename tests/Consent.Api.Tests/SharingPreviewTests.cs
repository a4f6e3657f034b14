using System.Net;
using System.Text.Json;

namespace Consent.Api.Tests;

/// <summary>
/// "What would this agency see?": the preview takes the FHIR read's path (same facts, same decisions) on the demo
/// survivor's records at Harbor House, with and without a grant being drafted, and discloses nothing.
/// </summary>
public sealed class SharingPreviewTests(ApiHost api) : IClassFixture<ApiHost>
{
    private const string Preview = "/api/survivors/sv-1001/sharing-preview";

    private static Dictionary<string, (int Records, string[] Basis)> Shared(JsonElement view) =>
        view.GetProperty("shared").EnumerateArray().ToDictionary(
            s => s.GetProperty("sourceAgencyId").GetString() + "/" + s.GetProperty("category").GetString(),
            s => (s.GetProperty("records").GetInt32(), s.GetProperty("basis").EnumerateArray().Select(b => b.GetString()!).ToArray()));

    [Fact]
    public async Task TheDemoGrant_SharesContactAndCaseManagement_AndTheReadAgrees_AndNothingIsDisclosed()
    {
        var survivor = await api.Parties.Survivor();
        var head = await api.LogHeadAsync();

        var view = await (await survivor.Post(Preview, new { recipientAgencyId = "northside-clinic", purpose = "care-coordination" })).Json();
        var shared = Shared(view);
        // The demo grant: contact and case management from Harbor House, for care coordination, under the demo MOU.
        shared.Keys.Order().ShouldBe(["harbor-house/case-management", "harbor-house/contact"]);
        shared["harbor-house/contact"].Records.ShouldBe(1);
        shared["harbor-house/case-management"].Records.ShouldBe(2);
        shared.Values.ShouldAllBe(s => s.Basis.SequenceEqual(new[] { "consent-grant", "mou" }));
        view.GetProperty("withheld").GetInt32().ShouldBe(2);
        (await api.LogAsync(head)).ShouldBeEmpty();

        // The clinic's own read, for the same purpose, returns exactly what the preview counted.
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        var patient = (await (await clinic.ReadAsync($"/fhir/Patient?identifier={FhirCalls.SurvivorSystem}|sv-1001", "COC")).Fhir()).EntryIds().Single();
        var everything = await (await clinic.ReadAsync($"/fhir/{patient}/$everything", "COC")).Fhir();
        everything.EntryIds().Count().ShouldBe(shared.Values.Sum(s => s.Records));
    }

    [Fact]
    public async Task ADraftedGrant_IsJudgedAsIfGiven_WithoutBeingGiven()
    {
        var advocate = await api.Parties.Advocate();

        var without = await (await advocate.Post(Preview, new { recipientAgencyId = "northside-clinic", purpose = "treatment" })).Json();
        without.GetProperty("shared").GetArrayLength().ShouldBe(0);

        var drafted = await (await advocate.Post(Preview, new
        {
            recipientAgencyId = "northside-clinic", purpose = "treatment", grant = new { categories = new[] { "health" }, sourceAgencyIds = new[] { "harbor-house" } },
        })).Json();
        var shared = Shared(drafted);
        shared.Keys.ShouldBe(["harbor-house/health"]);
        shared["harbor-house/health"].Records.ShouldBe(1);
        // The mental-health Condition stays withheld: the drafted grant does not name mental health.
        drafted.GetProperty("withheld").GetInt32().ShouldBeGreaterThanOrEqualTo(1);

        // Nothing was granted.
        var consents = await (await advocate.GetAsync("/api/survivors/sv-1001/consents")).Json();
        consents.EnumerateArray().ShouldNotContain(c => c.GetProperty("purposes").EnumerateArray().Any(p => p.GetString() == "treatment")
            && c.GetProperty("recipientAgencyId").GetString() == "northside-clinic");
    }

    [Fact]
    public async Task AnotherSurvivor_IsNotFound_AndBadInputNamesTheField()
    {
        var other = await api.Parties.As(await api.Parties.CreateUserAsync("survivor", survivorId: "sv-other"));
        var body = new { recipientAgencyId = "northside-clinic", purpose = "treatment" };
        var foreign = await (await other.Post(Preview, body)).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var missing = await (await other.Post("/api/survivors/sv-nobody/sharing-preview", body)).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        WithoutTraceId(missing).ShouldBe(WithoutTraceId(foreign));
        foreign.ShouldNotContain("sv-1001");
        // A malformed body is answered the same for someone else's survivor as for nobody.
        var malformedForeign = await other.Post(Preview, new { purpose = 7 });
        var malformedMissing = await other.Post("/api/survivors/sv-nobody/sharing-preview", new { purpose = 7 });
        malformedForeign.StatusCode.ShouldBe(malformedMissing.StatusCode);
        (await malformedForeign.Content.ReadAsStringAsync()).ShouldNotContain("sv-1001");

        var survivor = await api.Parties.Survivor();
        var invalid = await (await survivor.Post(Preview, new { recipientAgencyId = "no-such-agency", purpose = "haircut", grant = new { categories = new[] { "diary" } } }))
            .Problem(HttpStatusCode.BadRequest, "invalid-request");
        var errors = JsonDocument.Parse(invalid).RootElement.GetProperty("errors");
        errors.TryGetProperty("recipientAgencyId", out _).ShouldBeTrue();
        errors.TryGetProperty("purpose", out _).ShouldBeTrue();
        errors.TryGetProperty("grant.categories", out _).ShouldBeTrue();
    }

    private static string WithoutTraceId(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
}
