using System.Net;
using Consent.Api.DisclosureLog;
using Consent.Api.Tests;

namespace Consent.Security.Tests;

/// <summary>
/// Reads across agencies, as a compromised agency client would try them: what is withheld looks like what does not
/// exist, and every decision, permit or deny, is in the disclosure log before the answer leaves.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class ReadLoggingTests(SecuritySuite suite)
{
    [Theory]
    [InlineData("Observation")]
    [InlineData("Patient")]
    public async Task WithheldRecord_LooksLikeAMissingOne_AndTheDenyIsLogged(string type)
    {
        // Metro police has no grant, MOU or basis for the shelter's records of sv-1001 (nor for sexual-violence ones).
        var shelter = await suite.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(SecuritySuite.DemoSurvivor, "SEC-" + Guid.NewGuid().ToString("n")[..8]));
        var id = type == "Patient" ? patient : await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "note the attacker wants", FhirCalls.Label("SDV")));
        var police = await suite.Parties.AgencySystem("metro-police");
        var head = await suite.Api.LogHeadAsync();

        var withheld = await police.ReadAsync($"/fhir/{type}/{id}", purpose: "LAWENF");
        var missing = await police.ReadAsync($"/fhir/{type}/{Guid.NewGuid():n}", purpose: "LAWENF");

        withheld.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var withheldBody = await withheld.Content.ReadAsStringAsync();
        withheldBody.ShouldBe(await missing.Content.ReadAsStringAsync());
        withheldBody.ShouldNotMention(id, SecuritySuite.DemoSurvivor, "note the attacker wants");
        var entries = await suite.Api.LogAsync(head);
        entries.Count.ShouldBe(2);
        entries.ShouldAllBe(e => e.RecipientAgencyId == "metro-police" && e.Decision == DisclosureDecision.Deny && e.ResourceIds.Count == 0);
        entries.ShouldContain(e => e.SurvivorId == SecuritySuite.DemoSurvivor);
    }

    [Fact]
    public async Task PermittedRead_IsLoggedBeforeItIsAnswered_WithWhatWasReturned()
    {
        var shelter = await suite.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(SecuritySuite.DemoSurvivor, "SEC-" + Guid.NewGuid().ToString("n")[..8]));
        var observation = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "blood pressure"));
        var survivor = await suite.Parties.Survivor();
        var grant = await survivor.Post($"/api/survivors/{SecuritySuite.DemoSurvivor}/consents", new
        {
            recipientAgencyId = "northside-clinic", sourceAgencyIds = new[] { "harbor-house" }, categories = new[] { "health" }, purposes = new[] { "treatment" },
            consentTextId = "general-sharing", consentTextVersion = "3", language = "en",
        });
        grant.StatusCode.ShouldBe(HttpStatusCode.Created, await grant.Content.ReadAsStringAsync());
        var clinic = await suite.Parties.AgencySystem("northside-clinic");
        var head = await suite.Api.LogHeadAsync();

        var read = await clinic.ReadAsync($"/fhir/Observation/{observation}");

        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        var entry = (await suite.Api.LogAsync(head)).ShouldHaveSingleItem();
        entry.Decision.ShouldBe(DisclosureDecision.Permit);
        entry.RecipientAgencyId.ShouldBe("northside-clinic");
        entry.ResourceIds.ShouldBe([$"Observation/{observation}"]);
        entry.SurvivorId.ShouldBe(SecuritySuite.DemoSurvivor);
    }
}
