using System.Net;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using FhirConsent = Hl7.Fhir.Model.Consent;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Tests;

/// <summary>Consent grants: who may grant, what is checked, versions, revocation, FHIR export.</summary>
public sealed class ConsentsTests(ApiHost api) : IClassFixture<ApiHost>
{
    private const string Consents = "/api/survivors/sv-1001/consents";

    public static object Grant(string recipient = "bridge-legal", string[]? categories = null, string[]? purposes = null,
        DateTimeOffset? start = null, DateTimeOffset? end = null, string? method = null, string[]? sources = null, bool? allSources = null) => new
    {
        recipientAgencyId = recipient,
        sourceAgencyIds = sources ?? (allSources == true ? null : new[] { "harbor-house" }),
        allSources,
        categories = categories ?? ["contact", "case-management"],
        purposes = purposes ?? ["legal-advocacy"],
        start,
        end,
        method,
        consentTextId = "general-sharing",
        consentTextVersion = "3",
        language = "en",
    };

    [Fact]
    public async Task Survivor_Grants_InThePortal_WithTheDefaultEndOfThePurpose()
    {
        var survivor = await api.Parties.Survivor();
        var before = api.Clock.GetUtcNow();
        var grant = await (await survivor.Post(Consents, Grant())).Json(HttpStatusCode.Created);

        grant.GetProperty("status").GetString().ShouldBe("active");
        grant.GetProperty("method").GetString().ShouldBe("portal");
        grant.GetProperty("version").GetInt32().ShouldBe(1);
        grant.GetProperty("decidedBy").GetString().ShouldBe("survivor");
        var start = grant.GetProperty("start").GetDateTimeOffset();
        var end = grant.GetProperty("end").GetDateTimeOffset();
        (start - before).ShouldBeLessThan(TimeSpan.FromMinutes(1));
        (end - start).ShouldBe(TimeSpan.FromDays(180)); // legal-advocacy's configured default

        var list = await (await survivor.GetAsync(Consents)).Json();
        list.EnumerateArray().Select(c => c.GetProperty("id").GetString()).ShouldContain(grant.GetProperty("id").GetString());
    }

    [Fact]
    public async Task AnIdenticalActiveGrant_IsRefused_AndOnceRevokedTheSameTermsMayBeGivenAgain()
    {
        var survivor = await api.Parties.Survivor();
        var terms = Grant(recipient: "lighthouse-counseling", purposes: ["treatment"], categories: ["contact", "documents"], sources: ["harbor-house", "bridge-legal"]);
        var first = await (await survivor.Post(Consents, terms)).Json(HttpStatusCode.Created);
        var id = first.GetProperty("id").GetString()!;

        // The same sets in another order are the same grant; a different end date does not make it another one.
        var reordered = Grant(recipient: "lighthouse-counseling", purposes: ["treatment"], categories: ["documents", "contact"],
            sources: ["bridge-legal", "harbor-house"], end: api.Clock.GetUtcNow().AddDays(10));
        var refused = await (await survivor.Post(Consents, reordered)).Problem(HttpStatusCode.Conflict, "consent-duplicate");
        refused.ShouldContain(id);
        var list = await (await survivor.GetAsync(Consents)).Json();
        list.EnumerateArray().Count(c => c.GetProperty("recipientAgencyId").GetString() == "lighthouse-counseling" &&
            c.GetProperty("status").GetString() == "active" && c.GetProperty("categories").Strings().Contains("documents")).ShouldBe(1);

        // The same terms for a later period (a renewal given in advance) are another grant, and so are narrower ones.
        var renewal = await (await survivor.Post(Consents, Grant(recipient: "lighthouse-counseling", purposes: ["treatment"],
            categories: ["contact", "documents"], sources: ["harbor-house", "bridge-legal"], start: first.GetProperty("end").GetDateTimeOffset(),
            end: first.GetProperty("end").GetDateTimeOffset().AddDays(30)))).Json(HttpStatusCode.Created);
        renewal.GetProperty("status").GetString().ShouldBe("pending");
        await survivor.PostEmpty($"{Consents}/{renewal.GetProperty("id").GetString()}/revoke");
        var narrower = await (await survivor.Post(Consents, Grant(recipient: "lighthouse-counseling", purposes: ["treatment"], categories: ["contact"],
            sources: ["harbor-house", "bridge-legal"]))).Json(HttpStatusCode.Created);
        await survivor.PostEmpty($"{Consents}/{narrower.GetProperty("id").GetString()}/revoke");

        await survivor.PostEmpty($"{Consents}/{id}/revoke");
        var again = await (await survivor.Post(Consents, terms)).Json(HttpStatusCode.Created);
        again.GetProperty("id").GetString().ShouldNotBe(id);
        await survivor.PostEmpty($"{Consents}/{again.GetProperty("id").GetString()}/revoke");
    }

    [Fact]
    public async Task Revoke_TakesEffectAtOnce_AndEveryChangeIsAVersion()
    {
        var survivor = await api.Parties.Survivor();
        var grant = await (await survivor.Post(Consents, Grant(purposes: ["treatment"], recipient: "lighthouse-counseling"))).Json(HttpStatusCode.Created);
        var url = $"{Consents}/{grant.GetProperty("id").GetString()}";

        var amended = await (await survivor.Put(url, Grant(recipient: "lighthouse-counseling", purposes: ["treatment"], categories: ["contact", "mental-health"],
            end: api.Clock.GetUtcNow().AddDays(60)))).Json();
        amended.GetProperty("version").GetInt32().ShouldBe(2);
        amended.GetProperty("categories").Strings().ShouldBe(["contact", "mental-health"]);

        var revoked = await (await survivor.PostEmpty(url + "/revoke")).Json();
        revoked.GetProperty("status").GetString().ShouldBe("revoked");
        revoked.GetProperty("version").GetInt32().ShouldBe(3);
        (await (await survivor.GetAsync(url)).Json()).GetProperty("status").GetString().ShouldBe("revoked");

        var history = await (await survivor.GetAsync(url + "/history")).Json();
        history.EnumerateArray().Select(v => v.GetProperty("change").GetString()).ShouldBe(["granted", "amended", "revoked"]);
        history[0].GetProperty("terms").GetProperty("categories").Strings().ShouldBe(["contact", "case-management"]);
        history[1].GetProperty("terms").GetProperty("categories").Strings().ShouldBe(["contact", "mental-health"]);

        await (await survivor.PostEmpty(url + "/revoke")).Problem(HttpStatusCode.Conflict, "consent-not-active");
        await (await survivor.Put(url, Grant(recipient: "lighthouse-counseling", purposes: ["treatment"]))).Problem(HttpStatusCode.Conflict, "consent-not-active");
    }

    [Fact]
    public async Task AnotherSurvivorsGrant_LooksExactlyLikeAMissingOne()
    {
        var advocate = await api.Parties.Advocate();
        var minorGrant = await (await advocate.Post("/api/survivors/sv-1002/consents", Grant(method: "witnessed-paper"))).Json(HttpStatusCode.Created);
        var id = minorGrant.GetProperty("id").GetString();

        var survivor = await api.Parties.Survivor();
        var foreign = await (await survivor.GetAsync($"/api/survivors/sv-1002/consents/{id}")).Problem(HttpStatusCode.NotFound, "consent-not-found");
        var missing = await (await survivor.GetAsync($"/api/survivors/sv-1001/consents/{Guid.NewGuid()}")).Problem(HttpStatusCode.NotFound, "consent-not-found");
        var malformedId = await (await survivor.GetAsync("/api/survivors/sv-1001/consents/not-a-guid")).Problem(HttpStatusCode.NotFound, "consent-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));
        Http.WithoutTrace(malformedId).ShouldBe(Http.WithoutTrace(missing));
        // Even the right survivor in the path with the other's grant id answers the same.
        var crossed = await (await survivor.GetAsync($"/api/survivors/sv-1001/consents/{id}")).Problem(HttpStatusCode.NotFound, "consent-not-found");
        Http.WithoutTrace(crossed).ShouldBe(Http.WithoutTrace(missing));
        await (await survivor.PostEmpty($"/api/survivors/sv-1002/consents/{id}/revoke")).Problem(HttpStatusCode.NotFound, "consent-not-found");
        await (await survivor.GetAsync("/api/survivors/sv-1002/consents")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
    }

    [Fact]
    public async Task AdvocateOfAnotherAgency_CannotSeeOrRevoke()
    {
        var survivor = await api.Parties.Survivor();
        var grant = await (await survivor.Post(Consents, Grant(categories: ["contact"]))).Json(HttpStatusCode.Created);
        var other = await api.Parties.As(await api.Parties.CreateUserAsync("advocate", agencyId: "northside-clinic"));
        await (await other.GetAsync(Consents)).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        await (await other.PostEmpty($"{Consents}/{grant.GetProperty("id").GetString()}/revoke")).Problem(HttpStatusCode.NotFound, "consent-not-found");
        await (await other.Post(Consents, Grant(method: "verbal"))).Problem(HttpStatusCode.NotFound, "survivor-not-found");
    }

    [Fact]
    public async Task Compliance_ReadsGrants_ButCannotGrantOrRevoke()
    {
        var survivor = await api.Parties.Survivor();
        var grant = await (await survivor.Post(Consents, Grant(categories: ["documents"]))).Json(HttpStatusCode.Created);
        var url = $"{Consents}/{grant.GetProperty("id").GetString()}";
        var compliance = await api.Parties.Compliance();
        (await (await compliance.GetAsync(url)).Json()).GetProperty("status").GetString().ShouldBe("active");
        await (await compliance.PostEmpty(url + "/revoke")).Problem(HttpStatusCode.Forbidden, "read-only");
        await (await compliance.Post(Consents, Grant(method: "verbal"))).Problem(HttpStatusCode.Forbidden, "read-only");
        (await (await survivor.GetAsync(url)).Json()).GetProperty("status").GetString().ShouldBe("active");
    }

    [Fact]
    public async Task VerbalConsent_IsRecordedByAnAdvocate_AndLastsAtMost30Days()
    {
        var advocate = await api.Parties.Advocate();
        var verbal = await (await advocate.Post(Consents, Grant(method: "verbal", purposes: ["treatment"]))).Json(HttpStatusCode.Created);
        var span = verbal.GetProperty("end").GetDateTimeOffset() - verbal.GetProperty("start").GetDateTimeOffset();
        span.ShouldBe(TimeSpan.FromDays(30));
        verbal.GetProperty("witness").GetString().ShouldNotBeNullOrEmpty();

        await (await advocate.Post(Consents, Grant(method: "verbal", end: api.Clock.GetUtcNow().AddDays(31))))
            .Problem(HttpStatusCode.UnprocessableEntity, "verbal-consent-too-long");
        await (await advocate.Post(Consents, Grant(method: "portal"))).Problem(HttpStatusCode.UnprocessableEntity, "consent-method-not-allowed");

        var survivor = await api.Parties.Survivor();
        await (await survivor.Post(Consents, Grant(method: "verbal"))).Problem(HttpStatusCode.UnprocessableEntity, "consent-method-not-allowed");
    }

    [Fact]
    public async Task MinorsConsent_ComesFromTheDecisionMaker()
    {
        var advocate = await api.Parties.Advocate();
        var grant = await (await advocate.Post("/api/survivors/sv-1002/consents", Grant(method: "witnessed-paper", recipient: "northside-clinic", purposes: ["treatment"])))
            .Json(HttpStatusCode.Created);
        grant.GetProperty("decidedBy").GetString().ShouldBe("decision-maker");

        var born = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-10).ToString("yyyy-MM-dd");
        var noMaker = (await (await advocate.Post("/api/survivors", new { dateOfBirth = born })).Json(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await advocate.Post($"/api/survivors/{noMaker}/consents", Grant(method: "witnessed-paper")))
            .Problem(HttpStatusCode.UnprocessableEntity, "decision-maker-required");
    }

    [Theory]
    [InlineData("unknown-category")]
    [InlineData("unknown-purpose")]
    [InlineData("end-before-start")]
    [InlineData("start-in-the-past")]
    [InlineData("end-too-far")]
    [InlineData("unknown-agency")]
    [InlineData("unsupported-language")]
    public async Task BadGrants_AreRefused_WithTheirProblemType(string problem)
    {
        var survivor = await api.Parties.Survivor();
        var now = api.Clock.GetUtcNow();
        var body = problem switch
        {
            "unknown-category" => Grant(categories: ["contact", "horoscope"]),
            "unknown-purpose" => Grant(purposes: ["marketing"]),
            "end-before-start" => Grant(start: now.AddDays(10), end: now.AddDays(5)),
            // Backdated: earlier disclosures would look consented to.
            "start-in-the-past" => Grant(start: now.AddDays(-30), end: now.AddDays(30)),
            "end-too-far" => Grant(end: now.AddYears(5)),
            "unknown-agency" => Grant(recipient: "no-such-agency"),
            _ => (object)new
            {
                recipientAgencyId = "bridge-legal", allSources = true, categories = new[] { "contact" }, purposes = new[] { "legal-advocacy" },
                consentTextId = "general-sharing", consentTextVersion = "3", language = "tlh",
            },
        };
        var before = (await (await survivor.GetAsync(Consents)).Json()).GetArrayLength();

        await (await survivor.Post(Consents, body)).Problem(HttpStatusCode.UnprocessableEntity, problem);

        (await (await survivor.GetAsync(Consents)).Json()).GetArrayLength().ShouldBe(before);
    }

    [Fact]
    public async Task Amendment_KeepsItsStart_ButCannotMoveItEarlier()
    {
        var survivor = await api.Parties.Survivor();
        var grant = await (await survivor.Post(Consents, Grant(purposes: ["treatment"], recipient: "northside-clinic"))).Json(HttpStatusCode.Created);
        var url = $"{Consents}/{grant.GetProperty("id").GetString()}";
        var start = grant.GetProperty("start").GetDateTimeOffset();
        api.Clock.Advance(TimeSpan.FromDays(2));
        try
        {
            var kept = await (await survivor.Put(url, Grant(recipient: "northside-clinic", purposes: ["treatment"], start: start,
                end: api.Clock.GetUtcNow().AddDays(60)))).Json();
            kept.GetProperty("start").GetDateTimeOffset().ShouldBe(start);

            await (await survivor.Put(url, Grant(recipient: "northside-clinic", purposes: ["treatment"], start: start.AddDays(-10),
                end: api.Clock.GetUtcNow().AddDays(60)))).Problem(HttpStatusCode.UnprocessableEntity, "start-in-the-past");
            (await (await survivor.GetAsync(url)).Json()).GetProperty("start").GetDateTimeOffset().ShouldBe(start, TimeSpan.FromMilliseconds(1));
        }
        finally
        {
            api.Clock.Advance(TimeSpan.FromDays(-2));
        }
    }

    [Fact]
    public async Task MissingFields_AndMalformedJson_AreBadRequests()
    {
        var survivor = await api.Parties.Survivor();
        var text = await (await survivor.Post(Consents, new { recipientAgencyId = "bridge-legal" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
        JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty("categories", out _).ShouldBeTrue();
        await (await survivor.PostRaw(Consents, "{\"recipientAgencyId\": [")).Problem(HttpStatusCode.BadRequest, "malformed-request");
        await (await survivor.PostRaw(Consents, "{\"start\": \"not a date\"}")).Problem(HttpStatusCode.BadRequest, "malformed-request");
    }

    [Fact]
    public async Task FhirConsent_RoundTripsThroughTheFhirParser_AndSaysWhatTheGrantSays()
    {
        var survivor = await api.Parties.Survivor();
        var grant = await (await survivor.Post(Consents, Grant(recipient: "northside-clinic", categories: ["health", "substance-use"], purposes: ["treatment"])))
            .Json(HttpStatusCode.Created);
        var id = grant.GetProperty("id").GetString()!;

        var response = await survivor.GetAsync($"{Consents}/{id}/fhir");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        var json = await response.Content.ReadAsStringAsync();

        var options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict);
        var consent = JsonSerializer.Deserialize<FhirConsent>(json, options)!;
        consent.Status.ShouldBe(FhirConsent.ConsentState.Active);
        // No FHIR Patient was named: the survivor is referenced by the platform's survivor identifier.
        consent.Patient!.Reference.ShouldBeNull();
        consent.Patient.Identifier!.System.ShouldBe(FhirCalls.SurvivorSystem);
        consent.Patient.Identifier.Value.ShouldBe("sv-1001");
        consent.Scope!.Coding[0].Code.ShouldBe("patient-privacy");
        consent.Category.Select(c => c.Coding[0].Code).ShouldBe(["patient-privacy", "59284-0"]);
        consent.Meta!.VersionId.ShouldBe("1");
        consent.Meta.Profile.ShouldContain("https://profiles.ihe.net/ITI/PCF/StructureDefinition/IHE.PCF.consentAdvanced");
        // The rules pattern: the root denies; the one exception is the grant as far as the demo MOU between Harbor House
        // and the clinic carries it (treatment, health; the MOU does not name substance use, so neither does the permit).
        consent.Provision!.Type.ShouldBe(FhirConsent.ConsentProvisionType.Deny);
        var permit = consent.Provision.Provision.ShouldHaveSingleItem();
        permit.Type.ShouldBe(FhirConsent.ConsentProvisionType.Permit);
        permit.Actor.Single(a => a.Role.Coding[0].Code == "IRCP").Reference!.Reference.ShouldBe("Organization/northside-clinic");
        permit.Actor.Single(a => a.Role.Coding[0].Code == "CST").Reference!.Reference.ShouldBe("Organization/harbor-house");
        permit.Purpose.Select(p => p.Code).ShouldBe(["TREAT"]);
        permit.Code.Select(c => c.Coding[0].Code).ShouldBe(["health"]);
        permit.Class.Select(c => c.Code).ShouldContain("Condition");
        permit.Period!.End.ShouldNotBeNull();
        // Sensitive labels the grant does not name are an exception to the exception; SUD, which it names, is not.
        permit.Provision.ShouldHaveSingleItem().Type.ShouldBe(FhirConsent.ConsentProvisionType.Deny);
        permit.Provision[0].SecurityLabel.Select(l => l.Code).ShouldBe(["ETH", "HIV", "IMMIGRATION", "PSY", "SDV"]);
        // Serialising the parsed resource gives the same JSON back.
        JsonSerializer.Serialize(consent, options).ShouldBe(JsonSerializer.Serialize(JsonSerializer.Deserialize<FhirConsent>(json, options), options));

        await (await survivor.PostEmpty($"{Consents}/{id}/revoke")).Json();
        var revoked = JsonSerializer.Deserialize<FhirConsent>(await survivor.GetStringAsync($"{Consents}/{id}/fhir"), options)!;
        revoked.Status.ShouldBe(FhirConsent.ConsentState.Inactive);
        revoked.Provision!.Provision.ShouldBeEmpty();
        revoked.Meta!.VersionId.ShouldBe("2");

        var other = await api.Parties.As(await api.Parties.CreateUserAsync("survivor", survivorId: "sv-other"));
        await (await other.GetAsync($"{Consents}/{id}/fhir")).Problem(HttpStatusCode.NotFound, "consent-not-found");
    }
}
