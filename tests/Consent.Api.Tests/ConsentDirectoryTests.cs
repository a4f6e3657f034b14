using System.Net;
using System.Text.Json;
using Consent.Api.DenyList;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>
/// A consent decision service registered as a consent directory (the demo's, run by Harbor House, purpose COC) reads
/// /fhir as such services do: Patient by identifier, then the patient's Consents; with no purpose header, from one
/// client registration. It sees nothing else, every read is in the disclosure log and in the survivor's accounting.
/// </summary>
public sealed class ConsentDirectoryTests(ApiHost api) : IClassFixture<ApiHost>
{
    private const string DemoCase = "https://harbor-house.example/fhir/sid/case|HH-2026-0193";
    private const string DirectoryClient = "harbor-house-consent-directory";

    private static Task<HttpResponseMessage> Get(HttpClient client, string url) => client.ReadAsync(url, purpose: null);

    private async Task<(HttpClient Directory, string PatientId)> FindDemoPatientAsync()
    {
        var directory = await api.Parties.ConsentDirectory();
        var bundle = await (await Get(directory, "/fhir/Patient?identifier=" + Uri.EscapeDataString(DemoCase))).Fhir();
        return (directory, bundle.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task PatientByIdentifier_ThenConsents_WithoutAPurposeHeader_AndBothReadsAreLogged()
    {
        var directory = await api.Parties.ConsentDirectory();
        var head = await api.LogHeadAsync();

        var patients = await (await Get(directory, "/fhir/Patient?identifier=" + Uri.EscapeDataString(DemoCase))).Fhir();
        patients.GetProperty("total").GetInt32().ShouldBe(1);
        var patient = patients.GetProperty("entry")[0].GetProperty("resource");
        var patientId = patient.GetProperty("id").GetString()!;
        // Only what a directory needs to match: the id and the identifier it searched with. No name, gender or language.
        patient.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["active", "id", "identifier", "meta", "resourceType"]);
        var identifier = patient.GetProperty("identifier").EnumerateArray().ShouldHaveSingleItem();
        identifier.GetProperty("value").GetString().ShouldBe("HH-2026-0193");
        patient.GetRawText().ShouldNotContain("female");
        patient.GetRawText().ShouldNotContain("sv-1001");

        var consents = await (await Get(directory, $"/fhir/Consent?patient=Patient/{patientId}")).Fhir();
        var resources = consents.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList();
        resources.ShouldNotBeEmpty();
        resources.ShouldAllBe(c => c.GetProperty("patient").GetProperty("reference").GetString() == "Patient/" + patientId);
        // The demo grant (clinic, contact and case management, care coordination) permits through the demo MOU.
        var demo = resources.First(c => c.GetProperty("status").GetString() == "active");
        demo.GetProperty("provision").GetProperty("type").GetString().ShouldBe("deny");
        var permit = demo.GetProperty("provision").GetProperty("provision")[0];
        permit.GetProperty("type").GetString().ShouldBe("permit");
        permit.GetProperty("actor").EnumerateArray().Select(a => a.GetProperty("reference").GetProperty("reference").GetString())
            .ShouldBe(["Organization/northside-clinic", "Organization/harbor-house"]);
        permit.GetProperty("purpose")[0].GetProperty("code").GetString().ShouldBe("COC");

        var entries = await api.LogAsync(head);
        entries.Count.ShouldBe(2);
        entries.ShouldAllBe(e => e.Decision == DisclosureDecision.Permit && e.RecipientAgencyId == "harbor-house" && e.ClientId == DirectoryClient
            && e.SurvivorId == "sv-1001" && e.PurposeOfUse == "COC" && e.Basis.SequenceEqual(new[] { DisclosureBasis.ConsentDirectory(DirectoryClient) }));
        entries[0].ResourceType.ShouldBe("Patient");
        entries[0].ResourceIds.ShouldBe(["Patient/" + patientId]);
        entries[1].ResourceType.ShouldBe("Consent");
        entries[1].ResourceIds.ShouldBe([.. resources.Select(c => "Consent/" + c.GetProperty("id").GetString())]);

        // The survivor sees the directory among who saw their data, in plain words.
        var survivor = await api.Parties.Survivor();
        var accounting = await (await survivor.GetAsync("/api/survivors/sv-1001/accounting")).Json();
        var seen = accounting.GetProperty("items").EnumerateArray().First(i => i.GetProperty("sequence").GetInt64() == entries[1].Sequence);
        seen.GetProperty("recipient").GetProperty("id").GetString().ShouldBe("harbor-house");
        seen.GetProperty("basis")[0].GetProperty("label").GetString()!.ShouldStartWith("Consent directory service");
        // The Patient it found is not the survivor's contact details: only the id and the identifier left.
        var patientRead = accounting.GetProperty("items").EnumerateArray().First(i => i.GetProperty("sequence").GetInt64() == entries[0].Sequence);
        patientRead.GetProperty("what").EnumerateArray().Select(w => w.GetString()).ShouldBe(["The identifier that finds your sharing choices (no contact details)"]);
        var korean = await (await survivor.GetAsync("/api/survivors/sv-1001/accounting?language=ko")).Json();
        korean.GetProperty("items").EnumerateArray().First(i => i.GetProperty("sequence").GetInt64() == entries[0].Sequence)
            .GetProperty("what")[0].GetString().ShouldBe("귀하의 공유 선택을 찾는 식별자(연락처 정보 없음)");
    }

    [Fact]
    public async Task IdentifierForms_ConsentById_AndScopeFilter()
    {
        var (directory, patientId) = await FindDemoPatientAsync();

        // A value alone matches any system; "|value" only identifiers without a system (none are stored).
        (await (await Get(directory, "/fhir/Patient?identifier=HH-2026-0193")).Fhir()).GetProperty("total").GetInt32().ShouldBe(1);
        (await (await Get(directory, "/fhir/Patient?identifier=%7CHH-2026-0193")).Fhir()).GetProperty("total").GetInt32().ShouldBe(0);

        var scoped = await (await Get(directory,
            $"/fhir/Consent?patient=Patient/{patientId}&scope=http://terminology.hl7.org/CodeSystem/consentscope|patient-privacy&status=active")).Fhir();
        scoped.GetProperty("total").GetInt32().ShouldBeGreaterThan(0);
        var byCategory = await (await Get(directory, $"/fhir/Consent?patient=Patient/{patientId}&category=patient-privacy")).Fhir();
        byCategory.GetProperty("total").GetInt32().ShouldBeGreaterThanOrEqualTo(scoped.GetProperty("total").GetInt32());
        (await (await Get(directory, $"/fhir/Consent?patient=Patient/{patientId}&scope=research")).Fhir()).GetProperty("total").GetInt32().ShouldBe(0);

        var id = scoped.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString()!;
        var read = await Get(directory, "/fhir/Consent/" + id);
        var consent = await read.Fhir();
        consent.GetProperty("id").GetString().ShouldBe(id);
        read.Headers.ETag.ShouldNotBeNull();
        consent.GetProperty("patient").GetProperty("reference").GetString()!.ShouldStartWith("Patient/");

        // Missing, malformed and foreign ids all look the same.
        var missing = await (await Get(directory, $"/fhir/Consent/{Guid.NewGuid():n}")).Outcome(HttpStatusCode.NotFound, "not-found");
        (await (await Get(directory, "/fhir/Consent/51a-" + Guid.NewGuid().ToString("n"))).Outcome(HttpStatusCode.NotFound, "not-found")).ShouldBe(missing);
        (await (await Get(directory, "/fhir/Patient/" + Guid.NewGuid().ToString("n"))).Outcome(HttpStatusCode.NotFound, "not-found")).ShouldBe(missing);
    }

    [Fact]
    public async Task EverythingElse_IsRefused_AndThePurposeCannotBeChanged()
    {
        var (directory, patientId) = await FindDemoPatientAsync();
        var head = await api.LogHeadAsync();

        (await (await Get(directory, $"/fhir/Observation?patient=Patient/{patientId}")).Outcome(HttpStatusCode.Forbidden, "forbidden"))
            .ShouldNotContain(patientId);
        await (await Get(directory, $"/fhir/Observation/{Guid.NewGuid():n}")).Outcome(HttpStatusCode.Forbidden, "forbidden");
        await (await Get(directory, $"/fhir/Patient/{patientId}/$everything")).Outcome(HttpStatusCode.Forbidden, "forbidden");
        await (await directory.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", JsonSerializer.Serialize(FhirCalls.Patient(null, "X-1")))))
            .Outcome(HttpStatusCode.Forbidden, "forbidden");
        await (await directory.ReadAsync($"/fhir/Consent?patient=Patient/{patientId}", purpose: "TREAT")).Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await directory.ReadAsync($"/fhir/Consent?patient=Patient/{patientId}", purpose: null, breakGlass: "Unconscious patient, no way to ask"))
            .Outcome(HttpStatusCode.Forbidden, "forbidden");
        (await api.LogAsync(head)).ShouldBeEmpty();

        // Repeating its registered purpose is accepted.
        (await (await directory.ReadAsync($"/fhir/Consent?patient=Patient/{patientId}", purpose: "COC")).Fhir()).GetProperty("total").GetInt32()
            .ShouldBeGreaterThan(0);

        // It does not act for its agency on the consent API either.
        (await directory.GetAsync("/api/survivors")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await directory.GetAsync("/api/survivors/sv-1001/consents")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await directory.Post("/api/consent-requests", new { survivorId = "sv-1001", categories = new[] { "contact" }, purposes = new[] { "care-coordination" } }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await directory.GetAsync("/api/mous")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ASurvivorWhoNeverSharesWithTheOperator_IsInvisible_AndTheAskIsLoggedAsADeny()
    {
        var survivorId = "sv-dir-" + Guid.NewGuid().ToString("n")[..8];
        var mrn = "DIR-" + Guid.NewGuid().ToString("n")[..8];
        using (var scope = api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            var now = api.Clock.GetUtcNow();
            db.Survivors.Add(new Survivor(survivorId, "northside-clinic", "en", null, null, "test", now));
            db.DenyEntries.Add(new DenyEntry(Guid.CreateVersion7(now), survivorId, "harbor-house", null, null, "test", now));
            await db.SaveChangesAsync();
        }

        var clinic = await api.Parties.AgencySystem("northside-clinic", "system/*.cruds");
        var patientId = await clinic.CreateAsync("Patient", FhirCalls.Patient(survivorId, mrn));
        var directory = await api.Parties.ConsentDirectory();
        var head = await api.LogHeadAsync();

        var found = await (await Get(directory, $"/fhir/Patient?identifier=https://agency.example/mrn|{mrn}")).Fhir();
        found.GetProperty("total").GetInt32().ShouldBe(0);
        (await (await Get(directory, $"/fhir/Consent?patient=Patient/{patientId}")).Fhir()).GetProperty("total").GetInt32().ShouldBe(0);
        await (await Get(directory, $"/fhir/Patient/{patientId}")).Outcome(HttpStatusCode.NotFound, "not-found");

        var entries = await api.LogAsync(head);
        entries.Count.ShouldBe(3);
        entries.ShouldAllBe(e => e.Decision == DisclosureDecision.Deny && e.SurvivorId == survivorId && e.ResourceIds.Count == 0);
    }

    [Fact]
    public async Task Organizations_AreReadableByAgencySystemsAndDirectories_AndAuditEventsAreNotAccepted()
    {
        var directory = await api.Parties.ConsentDirectory();
        var police = await api.Parties.AgencySystem("metro-police", "system/Observation.rs");
        foreach (var client in new[] { directory, police })
        {
            var clinic = await (await Get(client, "/fhir/Organization/northside-clinic")).Fhir();
            clinic.GetProperty("resourceType").GetString().ShouldBe("Organization");
            clinic.GetProperty("name").GetString().ShouldBe("Northside Community Clinic");
            clinic.GetProperty("identifier")[0].GetProperty("system").GetString().ShouldBe("https://consent.example/fhir/sid/agency");
            clinic.GetProperty("identifier")[0].GetProperty("value").GetString().ShouldBe("northside-clinic");
            clinic.GetProperty("type")[0].GetProperty("coding").EnumerateArray().Select(c => c.GetProperty("code").GetString()).ShouldBe(["medical", "prov"]);
        }

        var search = await (await Get(directory, "/fhir/Organization?identifier=https://consent.example/fhir/sid/agency|metro-police")).Fhir();
        search.GetProperty("total").GetInt32().ShouldBe(1);
        search.GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString().ShouldBe("metro-police");
        (await (await Get(directory, "/fhir/Organization?identifier=https://elsewhere.example|metro-police")).Fhir()).GetProperty("total").GetInt32().ShouldBe(0);
        (await (await Get(directory, "/fhir/Organization")).Fhir()).GetProperty("total").GetInt32().ShouldBeGreaterThanOrEqualTo(6);
        await (await Get(directory, "/fhir/Organization?name=clinic")).Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await Get(directory, "/fhir/Organization/no-such-agency")).Outcome(HttpStatusCode.NotFound, "not-found");
        await (await Get(await api.Parties.Survivor(), "/fhir/Organization/northside-clinic")).Outcome(HttpStatusCode.Forbidden, "forbidden");
        (await api.Parties.Anonymous().GetAsync("/fhir/Organization/northside-clinic")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var head = await api.LogHeadAsync();
        var audit = """{"resourceType":"AuditEvent","recorded":"2026-12-07T10:00:00Z"}""";
        var refused = await directory.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/AuditEvent", audit));
        (await refused.Outcome(HttpStatusCode.MethodNotAllowed, "not-supported")).ShouldContain("disclosure log");
        (await api.LogAsync(head)).ShouldBeEmpty();
    }
}
