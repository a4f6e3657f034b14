using System.Net;
using Consent.Api.DisclosureLog;
using System.Net.Http.Headers;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Tests;

/// <summary>What /fhir accepts and refuses, and how it describes itself.</summary>
public sealed class FhirInputTests(ApiHost api) : IClassFixture<ApiHost>
{
    private Task<HttpClient> Shelter() => api.Parties.AgencySystem("harbor-house", "system/*.cruds");

    [Fact]
    public async Task Metadata_IsACapabilityStatement_WithSmartSecurity_AndNeedsNoToken()
    {
        var response = await api.Parties.Anonymous().GetAsync("/fhir/metadata");
        var json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        var statement = JsonSerializer.Deserialize<CapabilityStatement>(json,
            new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict))!;
        statement.FhirVersion.ShouldBe(FHIRVersion.N4_0_1);
        var rest = statement.Rest.ShouldHaveSingleItem();
        rest.Security!.Service.ShouldContain(s => s.Coding.Any(c => c.Code == "SMART-on-FHIR"));
        rest.Security.Extension.ShouldHaveSingleItem().Extension.ShouldContain(e => e.Url == "token");
        rest.Resource.Select(r => r.Type).ShouldContain("Observation");
        rest.Resource.Single(r => r.Type == "Patient").Operation.ShouldContain(o => o.Name == "everything");
        rest.Documentation!.ShouldContain("CHILDPROT");

        var smart = await (await api.Parties.Anonymous().GetAsync("/fhir/.well-known/smart-configuration")).Json();
        smart.GetProperty("token_endpoint").GetString().ShouldEndWith("/connect/token");
        smart.GetProperty("token_endpoint_auth_signing_alg_values_supported").Strings().ShouldBe(["RS384", "ES384"]);
        smart.GetProperty("grant_types_supported").Strings().ShouldBe(["client_credentials"]);
        smart.GetProperty("capabilities").Strings().ShouldBe(["client-confidential-asymmetric", "client-confidential-symmetric", "permission-v2"]);
        smart.GetProperty("scopes_supported").Strings().ShouldContain("system/Patient.rs");
    }

    [Fact]
    public async Task Reads_WithoutAPurposeOrWithAnUnknownOne_Are400()
    {
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        var id = Guid.NewGuid().ToString("n");
        (await (await clinic.ReadAsync($"/fhir/Observation/{id}", purpose: null)).Outcome(HttpStatusCode.BadRequest, "invalid"))
            .ShouldContain("X-Purpose-Of-Use");
        await (await clinic.ReadAsync($"/fhir/Observation/{id}", purpose: "MARKETING")).Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await clinic.ReadAsync($"/fhir/Observation/{id}", purpose: "treat")).Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await clinic.ReadAsync($"/fhir/Observation/{id}", purpose: "http://example.org/other|TREAT")).Outcome(HttpStatusCode.BadRequest, "invalid");
        (await clinic.ReadAsync($"/fhir/Observation/{id}", purpose: "http://terminology.hl7.org/CodeSystem/v3-ActReason|TREAT"))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await (await clinic.ReadAsync($"/fhir/Observation/{id}", breakGlass: "hurry")).Outcome(HttpStatusCode.BadRequest, "invalid");
    }

    [Fact]
    public async Task Callers_WithoutAnAgencyToken_OrTheRightScope_AreRefused()
    {
        await (await api.Parties.Anonymous().ReadAsync("/fhir/Observation/abc")).Outcome(HttpStatusCode.Unauthorized, "login");
        var survivor = await api.Parties.Survivor();
        await (await survivor.ReadAsync("/fhir/Observation/abc")).Outcome(HttpStatusCode.Forbidden, "forbidden");
        var readOnly = await api.Parties.AgencySystem("harbor-house");
        await (await readOnly.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", JsonSerializer.Serialize(FhirCalls.Patient(null, "X")))))
            .Outcome(HttpStatusCode.Forbidden, "forbidden");
        await (await readOnly.ReadAsync("/fhir/Medication/abc")).Outcome(HttpStatusCode.NotFound, "not-supported");
    }

    [Theory]
    [InlineData("system/Observation.rs", "Observation", 'r', true)]
    [InlineData("system/Observation.rs", "Observation", 's', true)]
    [InlineData("system/Observation.rs", "Condition", 'r', false)]
    [InlineData("system/Observation.rs", "Observation", 'c', false)]
    [InlineData("system/*.cruds", "Condition", 'u', true)]
    [InlineData("system/*.rs", "Condition", 'c', false)]
    [InlineData("system/*.read", "Condition", 's', true)]
    [InlineData("system/*.write", "Condition", 'r', false)]
    [InlineData("system/*.*", "Patient", 'u', true)]
    [InlineData("patient/*.rs", "Patient", 'r', false)]
    [InlineData("user/*.cruds", "Patient", 'r', false)]
    [InlineData("system/*.sr", "Patient", 'r', false)]
    [InlineData("system/*.", "Patient", 'r', false)]
    public void SmartScopes_GrantWhatTheyName(string scope, string type, char permission, bool allowed) =>
        Fhir.SmartScopes.Allows(scope, type, permission).ShouldBe(allowed);

    [Fact]
    public async Task BadBodies_AreClearOperationOutcomes_AndStoreNothing()
    {
        var shelter = await Shelter();
        (await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", "{\"resourceType\":\"Patient\",")))
            .Outcome(HttpStatusCode.BadRequest, "invalid")).ShouldNotContain("Exception");
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", "{\"resourceType\":\"Patient\",\"gender\":\"robot\"}")))
            .Outcome(HttpStatusCode.BadRequest, "structure");
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", "{\"resourceType\":\"Patient\",\"shoeSize\":42}")))
            .Outcome(HttpStatusCode.BadRequest, "structure");
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Observation", JsonSerializer.Serialize(FhirCalls.Patient(null, "X"), FhirCalls.WithoutNulls))))
            .Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", "<Patient/>", "application/fhir+xml")))
            .Outcome(HttpStatusCode.UnsupportedMediaType, "not-supported");
        var huge = "{\"resourceType\":\"Patient\",\"gender\":\"female\",\"id\":\"" + new string('a', 2_000_000) + "\"}";
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient", huge))).Outcome(HttpStatusCode.RequestEntityTooLarge, "too-long");

        var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Observation/abc");
        request.Headers.Add("X-Purpose-Of-Use", "TREAT");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+xml"));
        await (await shelter.SendAsync(request)).Outcome(HttpStatusCode.NotAcceptable, "not-supported");
    }

    [Fact]
    public async Task Writes_StayWithinTheAgency_AndLabelsAndLinksAreChecked()
    {
        var shelter = await Shelter();
        var clinic = await api.Parties.AgencySystem("northside-clinic", "system/*.cruds");
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient("sv-1001", "HH-W"));

        // Only the enrolling agency links a Patient to a survivor; same answer whether the survivor exists or not.
        var foreign = await (await clinic.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient",
            JsonSerializer.Serialize(FhirCalls.Patient("sv-1001", "NC-1"), FhirCalls.WithoutNulls)))).Outcome(HttpStatusCode.UnprocessableEntity, "processing");
        (await (await clinic.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Patient",
            JsonSerializer.Serialize(FhirCalls.Patient("sv-0000", "NC-1"), FhirCalls.WithoutNulls)))).Outcome(HttpStatusCode.UnprocessableEntity, "processing"))
            .ShouldBe(foreign);

        // Records point at the writer's own Patient.
        await (await clinic.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Observation",
            JsonSerializer.Serialize(FhirCalls.Observation(patient, "x"), FhirCalls.WithoutNulls)))).Outcome(HttpStatusCode.UnprocessableEntity, "processing");

        // Labels come from the table, with the table's system.
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Observation",
            JsonSerializer.Serialize(FhirCalls.Observation(patient, "x", FhirCalls.Label("PSY", "http://example.org/labels")), FhirCalls.WithoutNulls))))
            .Outcome(HttpStatusCode.UnprocessableEntity, "processing");
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Post, "/fhir/Observation",
            JsonSerializer.Serialize(FhirCalls.Observation(patient, "x", FhirCalls.Label("XYZ")), FhirCalls.WithoutNulls))))
            .Outcome(HttpStatusCode.UnprocessableEntity, "processing");
        var labelled = await shelter.CreateAsync("Observation",
            FhirCalls.Observation(patient, "status", FhirCalls.Label("IMMIGRATION", "https://consent.example/fhir/CodeSystem/security-label"),
                FhirCalls.Label("R", "http://terminology.hl7.org/CodeSystem/v3-Confidentiality")));

        // Update: the owner only; anyone else gets the answer for a missing record.
        var own = await shelter.ReadAsync($"/fhir/Observation/{labelled}");
        var stored = await own.Fhir();
        stored.GetProperty("meta").GetProperty("versionId").GetString().ShouldBe("1");
        string Body(string id) => JsonSerializer.Serialize(new
        {
            resourceType = "Observation", id, status = "amended", code = new { text = "status" }, subject = new { reference = "Patient/" + patient },
        });
        var updated = Body(labelled);
        var nobody = Guid.NewGuid().ToString("n");
        var missing = await (await clinic.SendAsync(FhirCalls.Write(HttpMethod.Put, $"/fhir/Observation/{nobody}", Body(nobody))))
            .Outcome(HttpStatusCode.NotFound, "not-found");
        (await (await clinic.SendAsync(FhirCalls.Write(HttpMethod.Put, $"/fhir/Observation/{labelled}", updated))).Outcome(HttpStatusCode.NotFound, "not-found"))
            .ShouldBe(missing);
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Put, $"/fhir/Observation/{nobody}", Body(nobody))))
            .Outcome(HttpStatusCode.NotFound, "not-found");
        await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Put, $"/fhir/Observation/{labelled}", Body(nobody))))
            .Outcome(HttpStatusCode.BadRequest, "invalid");
        var ifMatch = FhirCalls.Write(HttpMethod.Put, $"/fhir/Observation/{labelled}", updated);
        ifMatch.Headers.TryAddWithoutValidation("If-Match", "W/\"7\"");
        await (await shelter.SendAsync(ifMatch)).Outcome(HttpStatusCode.PreconditionFailed, "conflict");
        var second = await (await shelter.SendAsync(FhirCalls.Write(HttpMethod.Put, $"/fhir/Observation/{labelled}", updated))).Fhir();
        second.GetProperty("meta").GetProperty("versionId").GetString().ShouldBe("2");
        second.GetProperty("status").GetString().ShouldBe("amended");
    }

    [Fact]
    public async Task Search_PagesThroughPermittedRecords_FindsPatientsByIdentifier_AndConsents()
    {
        // A survivor of its own, so that other tests' records about sv-1001 do not count here.
        var advocate = await api.Parties.Advocate();
        var survivorId = (await (await advocate.Post("/api/survivors", new { dateOfBirth = "1990-05-01" })).Json(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        var shelter = await Shelter();
        var mrn = "HH-" + Guid.NewGuid().ToString("n")[..8];
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(survivorId, mrn));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "reading " + i)));
        }

        var withheld = await shelter.CreateAsync("Observation", FhirCalls.Observation(patient, "hiv viral load", FhirCalls.Label("HIV")));
        var grant = (await (await advocate.Post($"/api/survivors/{survivorId}/consents",
            ConsentsTests.Grant("northside-clinic", ["contact", "health"], ["treatment"], sources: ["harbor-house"], method: "witnessed-paper")))
            .Json(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var clinic = await api.Parties.AgencySystem("northside-clinic");

        var first = await (await clinic.ReadAsync($"/fhir/Observation?patient={patient}&_count=2")).Fhir();
        first.GetProperty("total").GetInt32().ShouldBe(3);
        first.EntryIds().Count().ShouldBe(2);
        var next = first.GetProperty("link").EnumerateArray().Single(l => l.GetProperty("relation").GetString() == "next").GetProperty("url").GetString()!;
        next.ShouldContain("_offset=2");
        var second = await (await clinic.ReadAsync(new Uri(next).PathAndQuery)).Fhir();
        second.EntryIds().Count().ShouldBe(1);
        first.EntryIds().Concat(second.EntryIds()).Order().ShouldBe(ids.Select(id => "Observation/" + id).Order());
        first.GetRawText().ShouldNotContain(withheld);
        second.GetRawText().ShouldNotContain(withheld);

        var byCategory = await (await clinic.ReadAsync($"/fhir/Observation?patient={patient}&category=vital-signs&_lastUpdated=ge2020-01-01")).Fhir();
        byCategory.GetProperty("total").GetInt32().ShouldBe(3);
        (await (await clinic.ReadAsync($"/fhir/Observation?patient={patient}&category=laboratory")).Fhir()).GetProperty("total").GetInt32().ShouldBe(0);
        (await (await clinic.ReadAsync($"/fhir/Observation?patient={patient}&_lastUpdated=lt2020-01-01")).Fhir()).GetProperty("total").GetInt32().ShouldBe(0);

        var found = await (await clinic.ReadAsync($"/fhir/Patient?identifier=https://agency.example/mrn|{mrn}")).Fhir();
        found.EntryIds().ShouldBe([$"Patient/{patient}"]);

        var consents = await (await clinic.ReadAsync($"/fhir/Consent?patient=Patient/{patient}&status=active")).Fhir();
        var consent = consents.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource"))
            .Single(r => r.GetProperty("id").GetString() == Guid.Parse(grant).ToString("n"));
        consent.GetProperty("status").GetString().ShouldBe("active");

        await (await clinic.ReadAsync("/fhir/Observation?code=1234")).Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await clinic.ReadAsync("/fhir/Observation")).Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await clinic.ReadAsync($"/fhir/Observation?patient={patient}&_count=0")).Outcome(HttpStatusCode.BadRequest, "invalid");
        await (await clinic.ReadAsync($"/fhir/Observation?patient={patient}&_lastUpdated=yesterday")).Outcome(HttpStatusCode.BadRequest, "invalid");
    }

    [Fact]
    public async Task DenyListedAgency_NoLongerSeesItsGrant_AsAFhirConsent_AndTheRefusalIsLogged()
    {
        var advocate = await api.Parties.Advocate();
        var survivorId = (await (await advocate.Post("/api/survivors", new { dateOfBirth = "1988-02-11" })).Json(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;
        var shelter = await Shelter();
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient(survivorId, "HH-" + Guid.NewGuid().ToString("n")[..8]));
        var grant = Guid.Parse((await (await advocate.Post($"/api/survivors/{survivorId}/consents",
            ConsentsTests.Grant("northside-clinic", ["contact", "health"], ["treatment"], sources: ["harbor-house"], method: "witnessed-paper")))
            .Json(HttpStatusCode.Created)).GetProperty("id").GetString()!).ToString("n");
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        (await (await clinic.ReadAsync($"/fhir/Consent?patient=Patient/{patient}")).Fhir()).EntryIds().ShouldContain("Consent/" + grant);

        await (await advocate.Post($"/api/survivors/{survivorId}/deny-list", new { agencyId = "northside-clinic" })).Json(HttpStatusCode.Created);
        var head = await api.LogHeadAsync();
        var after = await (await clinic.ReadAsync($"/fhir/Consent?patient=Patient/{patient}")).Fhir();

        after.EntryIds().ShouldNotContain("Consent/" + grant);
        after.GetRawText().ShouldNotContain(grant);
        var logged = await api.LogAsync(head);
        logged.ShouldContain(e => e.SurvivorId == survivorId && e.RecipientAgencyId == "northside-clinic" && e.ResourceType == "Consent"
                                  && e.Decision == DisclosureDecision.Deny);
    }

    [Fact]
    public async Task SubstanceUseRecords_CarryTheRedisclosureNotice()
    {
        var shelter = await Shelter();
        var patient = await shelter.CreateAsync("Patient", FhirCalls.Patient("sv-1001", "HH-SUD"));
        var sud = await shelter.CreateAsync("Condition", FhirCalls.Condition(patient, "opioid use disorder", FhirCalls.Label("SUD")));
        await api.ActiveMouAsync(["harbor-house", "lighthouse-counseling"], ["treatment"], ["health", "substance-use"]);
        var survivor = await api.Parties.Survivor();
        await (await survivor.Post("/api/survivors/sv-1001/consents",
            ConsentsTests.Grant("lighthouse-counseling", ["health", "substance-use"], ["treatment"], sources: ["harbor-house"]))).Json(HttpStatusCode.Created);
        var counseling = await api.Parties.AgencySystem("lighthouse-counseling");

        var read = await (await counseling.ReadAsync($"/fhir/Condition/{sud}")).Fhir();
        read.GetProperty("meta").GetProperty("security").EnumerateArray().Select(c => c.GetProperty("code").GetString()).ShouldContain("NORDSCLCD");
        var bundle = await (await counseling.ReadAsync($"/fhir/Condition?patient={patient}")).Fhir();
        bundle.GetProperty("entry").EnumerateArray().ShouldContain(e =>
            e.GetProperty("search").GetProperty("mode").GetString() == "outcome"
            && e.GetProperty("resource").GetProperty("issue")[0].GetProperty("diagnostics").GetString()!.Contains("42 CFR part 2"));
    }
}
