using System.Net;
using Consent.Api.DisclosureLog;

namespace Consent.Api.Tests;

/// <summary>
/// The whole path through HTTP with real tokens: the shelter writes records, the survivor grants the clinic health
/// records, the clinic reads only those, the survivor revokes, and every decision is in the disclosure log.
/// </summary>
public sealed class FhirScenarioTests(ApiHost api) : IClassFixture<ApiHost>
{
    private const string Survivor = "sv-1001";

    private sealed record Records(string Patient, string Observation, string PsyCondition, string Episode);

    private async Task<Records> ShelterWritesAsync()
    {
        var shelter = await api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(Survivor, "HH-" + Guid.NewGuid().ToString("n")[..6]));
        return new Records(
            patient,
            await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "blood pressure")),
            await shelter.CreateAsync("Condition", FhirCalls.Condition(patient, "anxiety", FhirCalls.Label("PSY"))),
            await shelter.CreateAsync("EpisodeOfCare", FhirCalls.EpisodeOfCare(patient)));
    }

    private async Task<string> GrantAsync(string recipient, string[] categories, string[] purposes)
    {
        var survivor = await api.Parties.Survivor();
        var grant = await (await survivor.Post($"/api/survivors/{Survivor}/consents",
            ConsentsTests.Grant(recipient, categories, purposes, sources: ["harbor-house"]))).Json(HttpStatusCode.Created);
        return grant.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Clinic_ReadsOnlyGrantedHealthRecords_UntilTheSurvivorRevokes_AndEveryDecisionIsLogged()
    {
        var records = await ShelterWritesAsync();
        var grantId = await GrantAsync("northside-clinic", ["health"], ["treatment"]);
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        var head = await api.LogHeadAsync();

        var observation = await (await clinic.ReadAsync($"/fhir/Observation/{records.Observation}")).Fhir();
        observation.GetProperty("id").GetString().ShouldBe(records.Observation);
        observation.GetProperty("code").GetProperty("text").GetString().ShouldBe("blood pressure");

        var permit = (await api.LogAsync(head)).ShouldHaveSingleItem();
        permit.Decision.ShouldBe(DisclosureDecision.Permit);
        permit.RecipientAgencyId.ShouldBe("northside-clinic");
        permit.ClientId.ShouldBe("northside-clinic-system");
        permit.SurvivorId.ShouldBe(Survivor);
        permit.ResourceType.ShouldBe("Observation");
        permit.ResourceIds.ShouldBe([$"Observation/{records.Observation}"]);
        permit.PurposeOfUse.ShouldBe("TREAT");
        permit.Basis.ShouldContain(DisclosureBasis.Grant(Guid.Parse(grantId)));
        permit.Basis.ShouldContain(b => b.Kind == DisclosureBasisKind.Mou);
        permit.BreakGlass.ShouldBeFalse();

        // A mental-health record and a case-management record are not in a grant for health: 404, like a missing record.
        var missing = await (await clinic.ReadAsync($"/fhir/Condition/{Guid.NewGuid():n}")).Outcome(HttpStatusCode.NotFound, "not-found");
        (await (await clinic.ReadAsync($"/fhir/Condition/{records.PsyCondition}")).Outcome(HttpStatusCode.NotFound, "not-found")).ShouldBe(missing);
        (await (await clinic.ReadAsync($"/fhir/EpisodeOfCare/{records.Episode}")).Outcome(HttpStatusCode.NotFound, "not-found")).ShouldBe(missing);
        (await (await clinic.ReadAsync($"/fhir/Patient/{records.Patient}")).Outcome(HttpStatusCode.NotFound, "not-found")).ShouldBe(missing);

        // The search counts only what the clinic may see: the PSY condition is neither returned nor counted.
        var conditions = await (await clinic.ReadAsync($"/fhir/Condition?patient=Patient/{records.Patient}")).Fhir();
        conditions.GetProperty("type").GetString().ShouldBe("searchset");
        conditions.GetProperty("total").GetInt32().ShouldBe(0);
        conditions.EntryIds().ShouldBeEmpty();

        var everything = await (await clinic.ReadAsync($"/fhir/Patient/{records.Patient}/$everything")).Fhir();
        // Other tests' shelter records about the same survivor are there too; only Observations (health) are.
        everything.EntryIds().ShouldContain($"Observation/{records.Observation}");
        everything.EntryIds().ShouldAllBe(id => id.StartsWith("Observation/"));
        everything.GetProperty("total").GetInt32().ShouldBe(everything.EntryIds().Count());

        var byIdentifier = await (await clinic.ReadAsync($"/fhir/Observation?patient:identifier={FhirCalls.SurvivorSystem}|{Survivor}")).Fhir();
        byIdentifier.EntryIds().ShouldContain($"Observation/{records.Observation}");

        var entries = await api.LogAsync(head);
        entries.Where(e => e.Decision == DisclosureDecision.Deny && e.SurvivorId == Survivor).Count().ShouldBeGreaterThanOrEqualTo(4);
        entries.ShouldAllBe(e => e.RecipientAgencyId == "northside-clinic");
        entries.Where(e => e.Decision == DisclosureDecision.Deny).ShouldAllBe(e => e.ResourceIds.Count == 0);
        entries.ShouldNotContain(e => e.ResourceIds.Contains($"Condition/{records.PsyCondition}"));

        // Revoked: the next read is refused and logged as a deny.
        var survivor = await api.Parties.Survivor();
        await (await survivor.PostEmpty($"/api/survivors/{Survivor}/consents/{grantId}/revoke")).Json();
        head = await api.LogHeadAsync();
        (await (await clinic.ReadAsync($"/fhir/Observation/{records.Observation}")).Outcome(HttpStatusCode.NotFound, "not-found")).ShouldBe(missing);
        var deny = (await api.LogAsync(head)).ShouldHaveSingleItem();
        deny.Decision.ShouldBe(DisclosureDecision.Deny);
        deny.SurvivorId.ShouldBe(Survivor);
        deny.ResourceIds.ShouldBeEmpty();
    }

    [Fact]
    public async Task Police_WithoutAGrant_GetsTheSame404_AndTheDenyIsLogged()
    {
        var records = await ShelterWritesAsync();
        var police = await api.Parties.AgencySystem("metro-police");
        var head = await api.LogHeadAsync();

        var missing = await (await police.ReadAsync($"/fhir/Observation/{Guid.NewGuid():n}", "LAWENF")).Outcome(HttpStatusCode.NotFound, "not-found");
        var withheld = await (await police.ReadAsync($"/fhir/Observation/{records.Observation}", "LAWENF")).Outcome(HttpStatusCode.NotFound, "not-found");
        withheld.ShouldBe(missing);
        (await (await police.ReadAsync($"/fhir/Patient/{records.Patient}/$everything", "LAWENF")).Outcome(HttpStatusCode.NotFound, "not-found")).ShouldBe(missing);
        var search = await (await police.ReadAsync($"/fhir/Observation?patient=Patient/{records.Patient}", "LAWENF")).Fhir();
        search.GetProperty("total").GetInt32().ShouldBe(0);

        var entries = await api.LogAsync(head);
        entries.Count.ShouldBe(4);
        entries.ShouldAllBe(e => e.Decision == DisclosureDecision.Deny && e.RecipientAgencyId == "metro-police" && e.PurposeOfUse == "LAWENF");
        entries[0].SurvivorId.ShouldBe("unknown");
        entries.Skip(1).ShouldAllBe(e => e.SurvivorId == Survivor);
    }

    [Fact]
    public async Task SensitiveLabel_IsWithheldFromAGeneralGrant_AndReleasedWhenGrantAndMouNameIt()
    {
        var records = await ShelterWritesAsync();
        await api.ActiveMouAsync(["harbor-house", "lighthouse-counseling"], ["treatment"], ["health", "mental-health"]);
        var counseling = await api.Parties.AgencySystem("lighthouse-counseling");

        var general = await GrantAsync("lighthouse-counseling", ["health"], ["treatment"]);
        await (await counseling.ReadAsync($"/fhir/Condition/{records.PsyCondition}")).Outcome(HttpStatusCode.NotFound, "not-found");
        (await (await counseling.ReadAsync($"/fhir/Observation/{records.Observation}")).Fhir()).GetProperty("id").GetString().ShouldBe(records.Observation);

        var naming = await GrantAsync("lighthouse-counseling", ["health", "mental-health"], ["treatment"]);
        var head = await api.LogHeadAsync();
        var condition = await (await counseling.ReadAsync($"/fhir/Condition/{records.PsyCondition}")).Fhir();
        condition.GetProperty("code").GetProperty("text").GetString().ShouldBe("anxiety");
        var entry = (await api.LogAsync(head)).ShouldHaveSingleItem();
        entry.Basis.ShouldContain(DisclosureBasis.Grant(Guid.Parse(naming)));
        entry.Basis.ShouldNotContain(DisclosureBasis.Grant(Guid.Parse(general)));

        // The survivor's own view names the sensitive category, not just "Health".
        var survivor = await api.Parties.Survivor();
        var latest = (await (await survivor.GetAsync($"/api/survivors/{Survivor}/disclosures?limit=1")).Json()).GetProperty("items")[0];
        latest.GetProperty("sequence").GetInt64().ShouldBe(entry.Sequence);
        latest.GetProperty("records").Strings().ShouldBe(["Mental health"]);
    }

    [Fact]
    public async Task DenyListingTheClinic_StopsTheNextRead_AtOnce()
    {
        var records = await ShelterWritesAsync();
        await GrantAsync("northside-clinic", ["health"], ["treatment"]);
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        (await (await clinic.ReadAsync($"/fhir/Observation/{records.Observation}")).Fhir()).GetProperty("id").GetString().ShouldBe(records.Observation);

        var survivor = await api.Parties.Survivor();
        var entry = await (await survivor.Post($"/api/survivors/{Survivor}/deny-list", new { agencyId = "northside-clinic", reason = "not safe" }))
            .Json(HttpStatusCode.Created);
        try
        {
            await (await clinic.ReadAsync($"/fhir/Observation/{records.Observation}")).Outcome(HttpStatusCode.NotFound, "not-found");
        }
        finally
        {
            (await survivor.DeleteAsync($"/api/survivors/{Survivor}/deny-list/{entry.GetProperty("id").GetString()}")).IsSuccessStatusCode.ShouldBeTrue();
        }

        (await (await clinic.ReadAsync($"/fhir/Observation/{records.Observation}")).Fhir()).GetProperty("id").GetString().ShouldBe(records.Observation);
    }
}
