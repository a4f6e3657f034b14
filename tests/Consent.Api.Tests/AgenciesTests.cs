using System.Net;

namespace Consent.Api.Tests;

/// <summary>The directory: everyone reads it, platform admins add, agency admins edit only their own.</summary>
public sealed class AgenciesTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Directory_HoldsTheDemoAgencies_ForAnyValidToken()
    {
        var system = await api.Parties.AgencySystem("metro-police");
        var agencies = await (await system.GetAsync("/api/agencies")).Json();
        var ids = agencies.EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList();
        foreach (var demo in new[] { "bridge-legal", "dcf-region-4", "harbor-house", "lighthouse-counseling", "metro-police", "northside-clinic" })
        {
            ids.ShouldContain(demo);
        }
    }

    [Fact]
    public async Task PlatformAdmin_AddsAnAgency_OthersMayNot()
    {
        var admin = await api.Parties.PlatformAdmin();
        var created = await (await admin.Post("/api/agencies", new { id = "safe-passage", name = "Safe Passage", type = "victim-services", languages = new[] { "en", "ko" } }))
            .Json(HttpStatusCode.Created);
        created.GetProperty("active").GetBoolean().ShouldBeTrue();

        await (await admin.Post("/api/agencies", new { id = "safe-passage", name = "Again", type = "shelter" }))
            .Problem(HttpStatusCode.Conflict, "agency-exists");
        await (await admin.Post("/api/agencies", new { id = "x y", name = "Bad", type = "shelter" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
        await (await admin.Post("/api/agencies", new { id = "new-one", name = "Bad type", type = "casino" })).Problem(HttpStatusCode.BadRequest, "invalid-request");

        var shelterAdmin = await api.Parties.ShelterAdmin();
        await (await shelterAdmin.Post("/api/agencies", new { id = "rogue", name = "Rogue", type = "shelter" })).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task AgencyAdmin_EditsOwnAgency_ButNotAnother()
    {
        var shelterAdmin = await api.Parties.ShelterAdmin();
        var edited = await (await shelterAdmin.Put("/api/agencies/harbor-house",
            new { name = "Harbor House Shelter", type = "shelter", region = "Region 4", languages = new[] { "en", "es", "ko" }, pointOfContact = "Intake line" })).Json();
        edited.GetProperty("languages").Strings().ShouldBe(["en", "es", "ko"]);

        await (await shelterAdmin.Put("/api/agencies/northside-clinic", new { name = "Taken over", type = "medical" }))
            .Problem(HttpStatusCode.Forbidden, "forbidden");
        var advocate = await api.Parties.Advocate();
        await (await advocate.Put("/api/agencies/harbor-house", new { name = "Advocate edit", type = "shelter" }))
            .Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await shelterAdmin.GetAsync("/api/agencies/no-such-agency")).Problem(HttpStatusCode.NotFound, "agency-not-found");
    }

    [Fact]
    public async Task AgencyAdmin_CannotRetypeOrReactivateOwnAgency_TypeStaysAsItWas()
    {
        // Retyping law enforcement as medical once made a break-glass read succeed: what the policy reads is not the agency's to change.
        var policeAdmin = await api.Parties.As(await api.Parties.CreateUserAsync("agency-admin", agencyId: "metro-police"));
        var before = await (await policeAdmin.GetAsync("/api/agencies/metro-police")).Json();
        before.GetProperty("type").GetString().ShouldBe("law-enforcement");

        await (await policeAdmin.Put("/api/agencies/metro-police", new { name = "Metro Police", type = "medical" }))
            .Problem(HttpStatusCode.Forbidden, "platform-admin-only");
        await (await policeAdmin.Put("/api/agencies/metro-police", new { name = "Metro Police", type = "law-enforcement", active = false }))
            .Problem(HttpStatusCode.Forbidden, "platform-admin-only");
        var after = await (await policeAdmin.GetAsync("/api/agencies/metro-police")).Json();
        after.GetProperty("type").GetString().ShouldBe("law-enforcement");
        after.GetProperty("active").GetBoolean().ShouldBeTrue();

        // The description stays theirs to edit, with the type as it is.
        var edited = await (await policeAdmin.Put("/api/agencies/metro-police",
            new { name = before.GetProperty("name").GetString(), type = "law-enforcement", pointOfContact = "Records desk" })).Json();
        edited.GetProperty("pointOfContact").GetString().ShouldBe("Records desk");
        await (await policeAdmin.GetAsync("/api/agencies/metro-police/changes")).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task PlatformAdmin_ChangesTypeAndStatus_AndEachChangeIsRecorded()
    {
        var admin = await api.Parties.PlatformAdmin();
        await (await admin.Post("/api/agencies", new { id = "retyped-agency", name = "Retyped", type = "law-enforcement" })).Json(HttpStatusCode.Created);

        var retyped = await (await admin.Put("/api/agencies/retyped-agency", new { name = "Retyped", type = "medical" })).Json();
        retyped.GetProperty("type").GetString().ShouldBe("medical");
        await (await admin.Put("/api/agencies/retyped-agency", new { name = "Retyped", type = "medical", active = false })).Json();
        await (await admin.Put("/api/agencies/retyped-agency", new { name = "Renamed only", type = "medical" })).Json();

        var compliance = await api.Parties.Compliance();
        var changes = (await (await compliance.GetAsync("/api/agencies/retyped-agency/changes")).Json()).EnumerateArray().ToList();
        changes.Count.ShouldBe(2);
        changes[0].GetProperty("field").GetString().ShouldBe("active");
        changes[0].GetProperty("oldValue").GetString().ShouldBe("true");
        changes[0].GetProperty("newValue").GetString().ShouldBe("false");
        changes[1].GetProperty("field").GetString().ShouldBe("type");
        changes[1].GetProperty("oldValue").GetString().ShouldBe("law-enforcement");
        changes[1].GetProperty("newValue").GetString().ShouldBe("medical");
        changes[1].GetProperty("changedBy").GetString().ShouldNotBeNullOrEmpty();
        await (await compliance.GetAsync("/api/agencies/no-such-agency/changes")).Problem(HttpStatusCode.NotFound, "agency-not-found");
    }

    [Fact]
    public async Task Categories_AreTheConfiguredTable_WithSensitiveLabels()
    {
        var survivor = await api.Parties.Survivor();
        var categories = await (await survivor.GetAsync("/api/categories")).Json();
        var byCode = categories.EnumerateArray().ToDictionary(c => c.GetProperty("code").GetString()!);
        byCode["contact"].GetProperty("resourceTypes").Strings().ShouldContain("Patient");
        byCode["contact"].GetProperty("sensitive").GetBoolean().ShouldBeFalse();
        byCode["substance-use"].GetProperty("sensitive").GetBoolean().ShouldBeTrue();
        byCode["substance-use"].GetProperty("labels")[0].GetProperty("code").GetString().ShouldBe("SUD");
        byCode.Keys.ShouldContain("immigration-status");
    }

    [Fact]
    public async Task OpenApi_DocumentsTheConsentEndpoints_AndTheirProblems()
    {
        var doc = await api.CreateClient().GetStringAsync("/openapi/v1.json");
        doc.ShouldContain("/api/survivors/{survivorId}/consents/{consentId}/revoke");
        doc.ShouldContain("https://consent.example/problems/recipient-on-deny-list");
        doc.ShouldContain("\"422\"");
    }
}
