using System.Net;
using Consent.Api.BreakGlass;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>The other bases (51A, break-glass) and the log's guarantee that nothing leaves unrecorded.</summary>
public sealed class FhirRulesTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task OpenChildProtectionCase_LetsChildProtectionReadTheMinorsCaseRecords_ClosingItStopsThat()
    {
        // The clinic enrols a 12-year-old and writes records; a 51A names the clinic and child protection.
        var clinicAdvocate = await api.Parties.As(await api.Parties.CreateUserAsync("advocate", agencyId: "northside-clinic"));
        var born = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-12).ToString("yyyy-MM-dd");
        var minor = (await (await clinicAdvocate.Post("/api/survivors", new { dateOfBirth = born })).Json(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        var clinic = await api.Parties.AgencySystem("northside-clinic", "system/*.cruds");
        var patient = await clinic.CreateAsync("Patient", FhirCalls.Patient(minor, "NC-77"));
        var plan = await clinic.CreateAsync("CarePlan", new
        {
            resourceType = "CarePlan", status = "active", intent = "plan", subject = new { reference = "Patient/" + patient },
        });
        var observation = await clinic.CreateAsync("Observation", FhirCalls.Observation(patient, "bruising noted"));
        await api.ActiveMouAsync(["northside-clinic", "dcf-region-4"], ["child-protection"], ["case-management", "health"]);
        var dcf = await api.Parties.AgencySystem("dcf-region-4");

        await (await dcf.ReadAsync($"/fhir/CarePlan/{plan}", "CHILDPROT")).Outcome(HttpStatusCode.NotFound, "not-found");

        var report = await (await clinicAdvocate.Post($"/api/survivors/{minor}/statutory-bases", new
        {
            reporterRole = "mandated-reporter",
            reportDate = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"),
            caseNumber = "51A-2026-0101",
            involvedAgencies = new[]
            {
                new { agencyId = "northside-clinic", role = "medical-provider" },
                new { agencyId = "dcf-region-4", role = "child-protection" },
            },
        })).Json(HttpStatusCode.Created);
        var basisId = report.GetProperty("id").GetString()!;

        var head = await api.LogHeadAsync();
        var everything = await (await dcf.ReadAsync($"/fhir/Patient/{patient}/$everything", "CHILDPROT")).Fhir();
        // The MOU covers case management and health, not contact: the Patient itself stays with the clinic.
        everything.EntryIds().Order().ShouldBe(new[] { $"CarePlan/{plan}", $"Observation/{observation}" }.Order());
        var entry = (await api.LogAsync(head)).ShouldHaveSingleItem();
        entry.Decision.ShouldBe(DisclosureDecision.Permit);
        entry.PurposeOfUse.ShouldBe("CHILDPROT");
        entry.Basis.ShouldContain(DisclosureBasis.Statutory(Guid.Parse(basisId)));
        entry.Basis.ShouldNotContain(b => b.Kind == DisclosureBasisKind.ConsentGrant);

        // Only for child protection: the same agency reading for treatment gets nothing.
        await (await dcf.ReadAsync($"/fhir/CarePlan/{plan}", "TREAT")).Outcome(HttpStatusCode.NotFound, "not-found");

        await (await clinicAdvocate.Post($"/api/survivors/{minor}/statutory-bases/{basisId}/close", new { reason = "case closed" })).Json();
        await (await dcf.ReadAsync($"/fhir/CarePlan/{plan}", "CHILDPROT")).Outcome(HttpStatusCode.NotFound, "not-found");
        await (await dcf.ReadAsync($"/fhir/Patient/{patient}/$everything", "CHILDPROT")).Outcome(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task BreakGlass_WhereTheMouAllowsIt_IsReleased_FlaggedInTheLog_AndQueuedForReview()
    {
        var shelter = await api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient("sv-1001", "HH-BG"));
        var observation = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "allergy to penicillin"));
        var legal = await api.Parties.AgencySystem("bridge-legal");
        const string Reason = "Survivor unconscious at the courthouse, paramedics ask for allergies";

        // No MOU allowing emergencies yet: refused like anything else, but still queued for review and flagged.
        var head = await api.LogHeadAsync();
        await (await legal.ReadAsync($"/fhir/Observation/{observation}", "ETREAT", Reason)).Outcome(HttpStatusCode.NotFound, "not-found");
        var refused = (await api.LogAsync(head)).ShouldHaveSingleItem();
        refused.Decision.ShouldBe(DisclosureDecision.Deny);
        refused.BreakGlass.ShouldBeTrue();
        refused.Basis.ShouldHaveSingleItem().Kind.ShouldBe(DisclosureBasisKind.BreakGlass);

        var mou = await api.ActiveMouAsync(["harbor-house", "bridge-legal"], ["emergency"], ["health"], allowsEmergencyAccess: true);
        await (await legal.ReadAsync($"/fhir/Observation/{observation}", "ETREAT")).Outcome(HttpStatusCode.NotFound, "not-found");

        head = await api.LogHeadAsync();
        var read = await (await legal.ReadAsync($"/fhir/Observation/{observation}", "ETREAT", Reason)).Fhir();
        read.GetProperty("id").GetString().ShouldBe(observation);
        var entry = (await api.LogAsync(head)).ShouldHaveSingleItem();
        entry.Decision.ShouldBe(DisclosureDecision.Permit);
        entry.BreakGlass.ShouldBeTrue();
        entry.Basis.ShouldContain(DisclosureBasis.Mou(Guid.Parse(mou)));
        var breakGlassId = entry.Basis.Single(b => b.Kind == DisclosureBasisKind.BreakGlass).Id;

        using var scope = api.Services.CreateScope();
        var record = await scope.ServiceProvider.GetRequiredService<ConsentDb>().BreakGlass.AsNoTracking()
            .SingleAsync(r => r.Id == Guid.Parse(breakGlassId));
        record.NeedsReview.ShouldBeTrue();
        record.Reason.ShouldBe(Reason);
        record.AgencyId.ShouldBe("bridge-legal");
        record.Purpose.ShouldBe("ETREAT", "stored as the purpose code, as the disclosure log stores it");

        // Police never break the glass, whatever the MOU says.
        await api.ActiveMouAsync(["harbor-house", "metro-police"], ["emergency"], ["health"], allowsEmergencyAccess: true);
        var police = await api.Parties.AgencySystem("metro-police");
        await (await police.ReadAsync($"/fhir/Observation/{observation}", "ETREAT", Reason)).Outcome(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task WhenTheLogCannotRecord_NothingLeaves_503()
    {
        var shelter = await api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient("sv-1001", "HH-503"));
        var observation = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "secret blood result"));
        var survivor = await api.Parties.Survivor();
        await (await survivor.Post("/api/survivors/sv-1001/consents",
            ConsentsTests.Grant("northside-clinic", ["health"], ["treatment"], sources: ["harbor-house"]))).Json(HttpStatusCode.Created);
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        (await (await clinic.ReadAsync($"/fhir/Observation/{observation}")).Fhir()).GetProperty("id").GetString().ShouldBe(observation);
        var head = await api.LogHeadAsync();

        // The real log on a database that refuses the insert (as a full disk or a broken file would).
        await ExecuteAsync("CREATE TRIGGER test_refuse_log BEFORE INSERT ON DisclosureLog BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
        try
        {
            var response = await clinic.ReadAsync($"/fhir/Observation/{observation}");
            var body = await response.Outcome(HttpStatusCode.ServiceUnavailable, "transient");
            body.ShouldNotContain("secret blood result");
            body.ShouldNotContain(observation);
            var search = await clinic.ReadAsync($"/fhir/Observation?patient=Patient/{patient}");
            (await search.Outcome(HttpStatusCode.ServiceUnavailable, "transient")).ShouldNotContain("secret blood result");
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER test_refuse_log;");
        }

        (await api.LogAsync(head)).ShouldBeEmpty();
        (await (await clinic.ReadAsync($"/fhir/Observation/{observation}")).Fhir()).GetProperty("id").GetString().ShouldBe(observation);
        var after = (await api.LogAsync(head)).ShouldHaveSingleItem();
        after.Sequence.ShouldBe(head + 1);
    }

    private async Task ExecuteAsync(string sql)
    {
        using var scope = api.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ConsentDb>().Database.ExecuteSqlRawAsync(sql);
    }
}

/// <summary>An MOU that expires ends sharing under it, grant or no grant.</summary>
public sealed class FhirMouExpiryTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task AfterTheMouExpires_TheGrantAloneOpensNothing()
    {
        var shelter = await api.Parties.AgencySystem("harbor-house", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient("sv-1001", "HH-EXP"));
        var observation = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "weight"));
        await api.ActiveMouAsync(["harbor-house", "lighthouse-counseling"], ["treatment"], ["health"], expiresAt: api.Clock.GetUtcNow().AddDays(10));
        var survivor = await api.Parties.Survivor();
        await (await survivor.Post("/api/survivors/sv-1001/consents",
            ConsentsTests.Grant("lighthouse-counseling", ["health"], ["treatment"], sources: ["harbor-house"]))).Json(HttpStatusCode.Created);
        var counseling = await api.Parties.AgencySystem("lighthouse-counseling");
        (await (await counseling.ReadAsync($"/fhir/Observation/{observation}")).Fhir()).GetProperty("id").GetString().ShouldBe(observation);

        api.Clock.Advance(TimeSpan.FromDays(11));
        var head = await api.LogHeadAsync();
        await (await counseling.ReadAsync($"/fhir/Observation/{observation}")).Outcome(HttpStatusCode.NotFound, "not-found");
        (await api.LogAsync(head)).ShouldHaveSingleItem().Decision.ShouldBe(DisclosureDecision.Deny);
    }
}
