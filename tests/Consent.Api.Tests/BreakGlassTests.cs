using System.Net;

namespace Consent.Api.Tests;

/// <summary>Break-glass declarations: a mandatory reason, always in the compliance review queue.</summary>
public sealed class BreakGlassTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Declaration_IsFlaggedForReview_AndComplianceReviewsItOnce()
    {
        var clinic = await api.Parties.AgencySystem("northside-clinic");
        var declared = await (await clinic.Post("/api/break-glass", new { survivorId = "sv-1001", reason = "Unconscious in the emergency department" }))
            .Json(HttpStatusCode.Created);
        declared.GetProperty("needsReview").GetBoolean().ShouldBeTrue();
        declared.GetProperty("purpose").GetString().ShouldBe("emergency");
        var id = declared.GetProperty("id").GetString();

        var compliance = await api.Parties.Compliance();
        (await (await compliance.GetAsync("/api/break-glass?needsReview=true")).Json()).EnumerateArray()
            .ShouldContain(r => r.GetProperty("id").GetString() == id);
        var reviewed = await (await compliance.Post($"/api/break-glass/{id}/review", new { outcome = "justified", note = "ED record confirms" })).Json();
        reviewed.GetProperty("needsReview").GetBoolean().ShouldBeFalse();
        (await (await compliance.GetAsync("/api/break-glass?needsReview=true")).Json()).EnumerateArray()
            .ShouldNotContain(r => r.GetProperty("id").GetString() == id);
        await (await compliance.Post($"/api/break-glass/{id}/review", new { outcome = "not-justified" })).Problem(HttpStatusCode.Conflict, "break-glass-reviewed");
    }

    [Fact]
    public async Task ReasonIsMandatory_AndOnlyComplianceReviews()
    {
        var shelter = await api.Parties.Advocate();
        await (await shelter.Post("/api/break-glass", new { survivorId = "sv-1001" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
        await (await shelter.Post("/api/break-glass", new { survivorId = "sv-1001", reason = "urgent" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
        var id = (await (await shelter.Post("/api/break-glass", new { survivorId = "sv-1001", reason = "Survivor missing, safety check needed" }))
            .Json(HttpStatusCode.Created)).GetProperty("id").GetString();

        await (await shelter.Post($"/api/break-glass/{id}/review", new { outcome = "justified" })).Problem(HttpStatusCode.Forbidden, "forbidden");
        var police = await api.Parties.AgencySystem("metro-police");
        var foreign = await (await police.GetAsync($"/api/break-glass/{id}")).Problem(HttpStatusCode.NotFound, "break-glass-not-found");
        var missing = await (await police.GetAsync($"/api/break-glass/{Guid.NewGuid()}")).Problem(HttpStatusCode.NotFound, "break-glass-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));

        var survivor = await api.Parties.Survivor();
        await (await survivor.Post("/api/break-glass", new { survivorId = "sv-1001", reason = "I want to see it myself" })).Problem(HttpStatusCode.Forbidden, "forbidden");
        var compliance = await api.Parties.Compliance();
        await (await compliance.Post("/api/break-glass", new { survivorId = "sv-1001", reason = "Compliance wants to look" })).Problem(HttpStatusCode.Forbidden, "read-only");
    }
}
