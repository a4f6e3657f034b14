using System.Net;

namespace Consent.Api.Tests;

/// <summary>An agency asks; the survivor (or an advocate with them) approves, which creates the grant, or declines.</summary>
public sealed class ConsentRequestsTests(ApiHost api) : IClassFixture<ApiHost>
{
    private static object Ask(string survivorId = "sv-1001", string purpose = "legal-advocacy", int? days = 60, string[]? categories = null) => new
    {
        survivorId,
        categories = categories ?? ["contact", "documents"],
        purpose,
        reason = "To prepare the protection order hearing",
        requestedDays = days,
    };

    private static readonly object Approval = new { consentTextId = "request-approval", consentTextVersion = "1", language = "en", allSources = true };

    [Fact]
    public async Task AgencySystem_Asks_Survivor_Approves_AndTheGrantIsWhatWasAsked()
    {
        var legal = await api.Parties.AgencySystem("bridge-legal");
        var asked = await (await legal.Post("/api/consent-requests", Ask())).Json(HttpStatusCode.Created);
        asked.GetProperty("state").GetString().ShouldBe("pending");
        var id = asked.GetProperty("id").GetString();

        var survivor = await api.Parties.Survivor();
        (await (await survivor.GetAsync("/api/survivors/sv-1001/consent-requests")).Json()).EnumerateArray()
            .ShouldContain(r => r.GetProperty("id").GetString() == id);
        var approved = await (await survivor.Post($"/api/survivors/sv-1001/consent-requests/{id}/approve", Approval)).Json();
        approved.GetProperty("state").GetString().ShouldBe("approved");
        var grantId = approved.GetProperty("grantId").GetString();

        var grant = await (await survivor.GetAsync($"/api/survivors/sv-1001/consents/{grantId}")).Json();
        grant.GetProperty("recipientAgencyId").GetString().ShouldBe("bridge-legal");
        grant.GetProperty("categories").Strings().ShouldBe(["contact", "documents"]);
        grant.GetProperty("purposes").Strings().ShouldBe(["legal-advocacy"]);
        grant.GetProperty("requestId").GetString().ShouldBe(id);
        (grant.GetProperty("end").GetDateTimeOffset() - grant.GetProperty("start").GetDateTimeOffset()).ShouldBe(TimeSpan.FromDays(60));

        (await (await legal.GetAsync($"/api/consent-requests/{id}")).Json()).GetProperty("state").GetString().ShouldBe("approved");
        await (await survivor.Post($"/api/survivors/sv-1001/consent-requests/{id}/approve", Approval)).Problem(HttpStatusCode.Conflict, "consent-request-not-pending");
    }

    [Fact]
    public async Task Advocate_DeclinesWithTheSurvivor_AndNoGrantIsMade()
    {
        var police = await api.Parties.AgencySystem("metro-police");
        var id = (await (await police.Post("/api/consent-requests", Ask(purpose: "law-enforcement", days: 30))).Json(HttpStatusCode.Created)).GetProperty("id").GetString();
        var survivor = await api.Parties.Survivor();
        var before = (await (await survivor.GetAsync("/api/survivors/sv-1001/consents")).Json()).GetArrayLength();

        var advocate = await api.Parties.Advocate();
        var declined = await (await advocate.Post($"/api/survivors/sv-1001/consent-requests/{id}/decline", new { reason = "survivor said no" })).Json();
        declined.GetProperty("state").GetString().ShouldBe("declined");
        (await (await survivor.GetAsync("/api/survivors/sv-1001/consents")).Json()).GetArrayLength().ShouldBe(before);
        (await (await police.GetAsync($"/api/consent-requests/{id}")).Json()).GetProperty("state").GetString().ShouldBe("declined");
    }

    [Fact]
    public async Task ARequestForAnUnknownSurvivor_LooksLikeAnyOther_ToTheRequester()
    {
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        var unknown = await clinic.Post("/api/consent-requests", Ask(survivorId: "sv-does-not-exist", purpose: "treatment"));
        var known = await clinic.Post("/api/consent-requests", Ask(survivorId: "sv-1001", purpose: "treatment"));
        unknown.StatusCode.ShouldBe(HttpStatusCode.Created);
        known.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await unknown.Json(HttpStatusCode.Created)).GetProperty("state").GetString().ShouldBe("pending");
    }

    [Fact]
    public async Task OtherSurvivors_OtherAgencies_AndCompliance_CannotAnswer()
    {
        var legal = await api.Parties.AgencySystem("bridge-legal");
        var id = (await (await legal.Post("/api/consent-requests", Ask())).Json(HttpStatusCode.Created)).GetProperty("id").GetString();

        var other = await api.Parties.As(await api.Parties.CreateUserAsync("survivor", survivorId: "sv-stranger"));
        await (await other.Post($"/api/survivors/sv-1001/consent-requests/{id}/approve", Approval)).Problem(HttpStatusCode.NotFound, "consent-request-not-found");
        await (await other.GetAsync($"/api/consent-requests/{id}")).Problem(HttpStatusCode.NotFound, "consent-request-not-found");
        await (await other.GetAsync("/api/survivors/sv-1001/consent-requests")).Problem(HttpStatusCode.NotFound, "survivor-not-found");

        var police = await api.Parties.AgencySystem("metro-police");
        await (await police.GetAsync($"/api/consent-requests/{id}")).Problem(HttpStatusCode.NotFound, "consent-request-not-found");
        (await (await police.GetAsync("/api/consent-requests")).Json()).EnumerateArray()
            .ShouldAllBe(r => r.GetProperty("requestingAgencyId").GetString() == "metro-police");

        var compliance = await api.Parties.Compliance();
        await (await compliance.Post($"/api/survivors/sv-1001/consent-requests/{id}/decline", new { })).Problem(HttpStatusCode.Forbidden, "read-only");
        await (await compliance.Post("/api/consent-requests", Ask())).Problem(HttpStatusCode.Forbidden, "read-only");

        var survivor = await api.Parties.Survivor();
        await (await survivor.Post("/api/consent-requests", Ask())).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Approval_StillObeysTheDenyList_AndBadRequestsAreRefused()
    {
        var lighthouse = await api.Parties.AgencySystem("lighthouse-counseling");
        var id = (await (await lighthouse.Post("/api/consent-requests", Ask(purpose: "treatment"))).Json(HttpStatusCode.Created)).GetProperty("id").GetString();
        var survivor = await api.Parties.Survivor();
        await (await survivor.Post("/api/survivors/sv-1001/deny-list", new { agencyId = "lighthouse-counseling" })).Json(HttpStatusCode.Created);
        await (await survivor.Post($"/api/survivors/sv-1001/consent-requests/{id}/approve", Approval)).Problem(HttpStatusCode.UnprocessableEntity, "recipient-on-deny-list");
        (await (await survivor.GetAsync($"/api/consent-requests/{id}")).Json()).GetProperty("state").GetString().ShouldBe("pending");

        await (await lighthouse.Post("/api/consent-requests", Ask(categories: ["astrology"]))).Problem(HttpStatusCode.UnprocessableEntity, "unknown-category");
        await (await lighthouse.Post("/api/consent-requests", Ask(purpose: "marketing"))).Problem(HttpStatusCode.UnprocessableEntity, "unknown-purpose");
        await (await lighthouse.Post("/api/consent-requests", Ask(days: 5000))).Problem(HttpStatusCode.UnprocessableEntity, "end-too-far");
        await (await lighthouse.Post("/api/consent-requests", new { survivorId = "sv-1001" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
    }
}
