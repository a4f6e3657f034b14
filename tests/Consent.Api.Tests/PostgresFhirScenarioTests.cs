using System.Net;
using Consent.Api.DisclosureLog;

namespace Consent.Api.Tests;

/// <summary>
/// The demo's path on PostgreSQL, through HTTP with real tokens: the survivor grants the clinic health records, the
/// clinic reads one, the read is in the log when the answer arrives and the chain verifies, the survivor revokes,
/// and the next read is refused. Then a second API instance on the same database appends to the same chain.
/// </summary>
public sealed class PostgresFhirScenarioTests(PostgresApi postgres) : IClassFixture<PostgresApi>
{
    private const string Survivor = "sv-1001";

    private ApiHost Api => postgres.Api;

    [Fact]
    public async Task GrantReadRevoke_OnPostgres_LogsEachReadBeforeItsAnswer_AndTheChainVerifies()
    {
        var shelter = await Api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(Survivor, "HH-" + Guid.NewGuid().ToString("n")[..6]));
        var observation = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "blood pressure"));

        var survivor = await Api.Parties.Survivor();
        var grant = await (await survivor.Post($"/api/survivors/{Survivor}/consents",
            ConsentsTests.Grant("northside-clinic", ["health"], ["treatment"], sources: ["harbor-house"]))).Json(HttpStatusCode.Created);
        var grantId = grant.GetProperty("id").GetString()!;

        var clinic = await Api.Parties.AgencySystem("northside-clinic");
        var head = await Api.LogHeadAsync();
        var read = await (await clinic.ReadAsync($"/fhir/Observation/{observation}")).Fhir();
        read.GetProperty("code").GetProperty("text").GetString().ShouldBe("blood pressure");

        // The answer came after the entry was committed: it is there as soon as the answer is.
        var permit = (await Api.LogAsync(head)).ShouldHaveSingleItem();
        permit.Decision.ShouldBe(DisclosureDecision.Permit);
        permit.RecipientAgencyId.ShouldBe("northside-clinic");
        permit.ResourceIds.ShouldBe([$"Observation/{observation}"]);
        permit.Basis.ShouldContain(DisclosureBasis.Grant(Guid.Parse(grantId)));
        DisclosureChain.FirstBreak(await Api.LogAsync()).ShouldBeNull();

        await (await survivor.PostEmpty($"/api/survivors/{Survivor}/consents/{grantId}/revoke")).Json();
        head = await Api.LogHeadAsync();
        await (await clinic.ReadAsync($"/fhir/Observation/{observation}")).Outcome(HttpStatusCode.NotFound, "not-found");
        var deny = (await Api.LogAsync(head)).ShouldHaveSingleItem();
        deny.Decision.ShouldBe(DisclosureDecision.Deny);
        deny.ResourceIds.ShouldBeEmpty();

        var log = await Api.LogAsync();
        log.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, log.Count).Select(i => (long)i));
        DisclosureChain.FirstBreak(log).ShouldBeNull();
    }

    [Fact]
    public async Task TwoInstances_AppendingAtOnce_MakeOneChainWithoutGaps()
    {
        await using var second = PostgresApi.For(postgres.ConnectionString);
        var clinics = new[] { await Api.Parties.AgencySystem("northside-clinic"), await second.Parties.AgencySystem("northside-clinic") };
        var head = await Api.LogHeadAsync();

        // Reads without a grant: each is refused, and each refusal is an entry of the one log.
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            (await clinics[i % 2].ReadAsync($"/fhir/Observation/{Guid.NewGuid():n}")).StatusCode.ShouldBe(HttpStatusCode.NotFound)));

        var log = await Api.LogAsync();
        log.Count.ShouldBe((int)head + 40);
        log.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, log.Count).Select(i => (long)i));
        DisclosureChain.FirstBreak(log).ShouldBeNull();
    }
}
