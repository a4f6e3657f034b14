using System.Net;

namespace Consent.Api.Tests;

/// <summary>Enrolment and who sees which survivor.</summary>
public sealed class SurvivorsTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Advocate_Enrols_AtTheirOwnAgency_AndSeesTheRecord()
    {
        var advocate = await api.Parties.Advocate();
        var created = await (await advocate.Post("/api/survivors", new { preferredLanguage = "ko", dateOfBirth = "1990-01-02" })).Json(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        id.ShouldStartWith("sv-");
        created.GetProperty("enrollingAgencyId").GetString().ShouldBe("harbor-house");
        created.GetProperty("minor").GetBoolean().ShouldBeFalse();

        var list = await (await advocate.GetAsync("/api/survivors")).Json();
        list.EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldContain(id);
    }

    [Fact]
    public async Task AdvocateOfAnotherAgency_GetsTheSameAnswerAsForAMissingSurvivor()
    {
        var other = await api.Parties.As(await api.Parties.CreateUserAsync("advocate", agencyId: "bridge-legal"));

        var foreign = await (await other.GetAsync("/api/survivors/sv-1001")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var missing = await (await other.GetAsync("/api/survivors/sv-nobody")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));
        foreign.ShouldNotContain("sv-1001");
        foreign.ShouldNotContain("harbor-house");

        var list = await (await other.GetAsync("/api/survivors")).Json();
        list.EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldNotContain("sv-1001");
    }

    [Fact]
    public async Task Survivor_SeesOnlyTheirOwnRecord()
    {
        var survivor = await api.Parties.Survivor();
        var own = await (await survivor.GetAsync("/api/survivors/sv-1001")).Json();
        own.GetProperty("minor").GetBoolean().ShouldBeFalse();

        var foreign = await (await survivor.GetAsync("/api/survivors/sv-1002")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var missing = await (await survivor.GetAsync("/api/survivors/sv-nobody")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));

        var list = await (await survivor.GetAsync("/api/survivors")).Json();
        list.EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldBe(["sv-1001"]);
        await (await survivor.Post("/api/survivors", new { preferredLanguage = "en" })).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Compliance_ReadsEverySurvivor_AndChangesNothing()
    {
        var compliance = await api.Parties.Compliance();
        var list = await (await compliance.GetAsync("/api/survivors")).Json();
        list.EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldContain("sv-1002");
        await (await compliance.Post("/api/survivors", new { preferredLanguage = "en" })).Problem(HttpStatusCode.Forbidden, "read-only");
        await (await compliance.Put("/api/survivors/sv-1001", new { preferredLanguage = "es" })).Problem(HttpStatusCode.Forbidden, "read-only");
    }

    [Fact]
    public async Task AgencySystems_AndAgencyAdmins_SeeNoSurvivor()
    {
        var system = await api.Parties.AgencySystem("harbor-house");
        await (await system.GetAsync("/api/survivors/sv-1001")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var admin = await api.Parties.ShelterAdmin();
        await (await admin.GetAsync("/api/survivors/sv-1001")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
    }

    [Fact]
    public async Task Minor_HasADecisionMaker_RecordedWithHowItWasEstablished()
    {
        var advocate = await api.Parties.Advocate();
        var minor = await (await advocate.GetAsync("/api/survivors/sv-1002")).Json();
        minor.GetProperty("minor").GetBoolean().ShouldBeTrue();
        minor.GetProperty("decisionMaker").GetProperty("kind").GetString().ShouldBe("custodial-agency");

        var born = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-12).ToString("yyyy-MM-dd");
        var created = await (await advocate.Post("/api/survivors", new { dateOfBirth = born })).Json(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        var set = await (await advocate.Put($"/api/survivors/{id}/decision-maker",
            new { kind = "guardian", reference = "guardian-a", establishedBy = "birth certificate" })).Json();
        set.GetProperty("decisionMaker").GetProperty("establishedBy").GetString().ShouldBe("birth certificate");

        await (await advocate.Put($"/api/survivors/{id}/decision-maker", new { kind = "guardian", reference = "", establishedBy = "" }))
            .Problem(HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task BadInput_IsAProblem_NotAStackTrace()
    {
        var advocate = await api.Parties.Advocate();
        await (await advocate.PostRaw("/api/survivors", "{\"preferredLanguage\": ")).Problem(HttpStatusCode.BadRequest, "malformed-request");
        await (await advocate.Post("/api/survivors", new { preferredLanguage = "tlh" })).Problem(HttpStatusCode.UnprocessableEntity, "unsupported-language");
        await (await advocate.Post("/api/survivors", new { dateOfBirth = "2999-01-01" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
    }
}
