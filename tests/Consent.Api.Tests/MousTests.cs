using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Consent.Api.Tests;

/// <summary>MOUs: drafted, documented, signed by every party's agency admin, terminated by a party.</summary>
public sealed class MousTests(ApiHost api) : IClassFixture<ApiHost>
{
    public static object Draft(DateTimeOffset now, string[]? parties = null, object[]? flows = null, string[]? categories = null,
        DateTimeOffset? effectiveFrom = null, DateTimeOffset? expiresAt = null) => new
    {
        title = "Shelter and clinic",
        partyAgencyIds = parties ?? ["harbor-house", "northside-clinic"],
        flows,
        purposes = new[] { "treatment", "care-coordination" },
        categories = categories ?? ["contact", "health"],
        effectiveFrom = effectiveFrom ?? now,
        expiresAt = expiresAt ?? now.AddYears(1),
    };

    public static async Task<(string Url, string Sha256)> DraftWithDocumentAsync(HttpClient admin, object draft, string text = "MOU text v1")
    {
        var created = await (await admin.Post("/api/mous", draft)).Json(HttpStatusCode.Created);
        var url = $"/api/mous/{created.GetProperty("id").GetString()}";
        var bytes = Encoding.UTF8.GetBytes(text);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        var uploaded = await (await admin.PutAsync(url + "/document", content)).Json();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        uploaded.GetProperty("documentSha256").GetString().ShouldBe(sha256);
        return (url, sha256);
    }

    [Fact]
    public async Task Lifecycle_DraftPendingActive_ThenTerminated()
    {
        var shelter = await api.Parties.ShelterAdmin();
        var clinic = await api.Parties.ClinicAdmin();
        var (url, sha256) = await DraftWithDocumentAsync(shelter, Draft(api.Clock.GetUtcNow(),
            flows: [new { sourceAgencyId = "harbor-house", recipientAgencyId = "northside-clinic" }]));

        var document = await shelter.GetAsync(url + "/document");
        Convert.ToHexStringLower(SHA256.HashData(await document.Content.ReadAsByteArrayAsync())).ShouldBe(sha256);

        (await (await shelter.PostEmpty(url + "/submit")).Json()).GetProperty("status").GetString().ShouldBe("pending-signature");
        await (await shelter.Put(url, Draft(api.Clock.GetUtcNow()))).Problem(HttpStatusCode.Conflict, "mou-not-editable");

        await (await clinic.Post(url + "/sign", new { documentSha256 = new string('0', 64) })).Problem(HttpStatusCode.Conflict, "mou-document-mismatch");
        var half = await (await shelter.Post(url + "/sign", new { documentSha256 = sha256 })).Json();
        half.GetProperty("status").GetString().ShouldBe("pending-signature");
        await (await shelter.Post(url + "/sign", new { documentSha256 = sha256 })).Problem(HttpStatusCode.Conflict, "mou-already-signed");

        var active = await (await clinic.Post(url + "/sign", new { documentSha256 = sha256 })).Json();
        active.GetProperty("status").GetString().ShouldBe("active");
        active.GetProperty("parties").EnumerateArray().ShouldAllBe(p => p.GetProperty("signedAt").ValueKind != System.Text.Json.JsonValueKind.Null);
        active.GetProperty("flows").GetArrayLength().ShouldBe(1);

        var ended = await (await clinic.Post(url + "/terminate", new { reason = "program closed" })).Json();
        ended.GetProperty("status").GetString().ShouldBe("terminated");
        ended.GetProperty("terminatedByAgencyId").GetString().ShouldBe("northside-clinic");
        await (await shelter.Post(url + "/terminate", new { })).Problem(HttpStatusCode.Conflict, "mou-already-ended");
    }

    [Fact]
    public async Task AgencyAdminOfANonParty_SeesNothing_AndCannotSignOrTerminate()
    {
        var shelter = await api.Parties.ShelterAdmin();
        var (url, sha256) = await DraftWithDocumentAsync(shelter, Draft(api.Clock.GetUtcNow()));
        await (await shelter.PostEmpty(url + "/submit")).Json();

        var legalAdmin = await api.Parties.As(await api.Parties.CreateUserAsync("agency-admin", agencyId: "bridge-legal"));
        var foreign = await (await legalAdmin.GetAsync(url)).Problem(HttpStatusCode.NotFound, "mou-not-found");
        var missing = await (await legalAdmin.GetAsync($"/api/mous/{Guid.NewGuid()}")).Problem(HttpStatusCode.NotFound, "mou-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));
        await (await legalAdmin.Post(url + "/sign", new { documentSha256 = sha256 })).Problem(HttpStatusCode.NotFound, "mou-not-found");
        await (await legalAdmin.Post(url + "/terminate", new { })).Problem(HttpStatusCode.NotFound, "mou-not-found");
        await (await legalAdmin.GetAsync(url + "/document")).Problem(HttpStatusCode.NotFound, "mou-not-found");
        (await (await legalAdmin.GetAsync("/api/mous")).Json()).EnumerateArray()
            .ShouldAllBe(m => m.GetProperty("parties").EnumerateArray().Any(p => p.GetProperty("agencyId").GetString() == "bridge-legal"));
    }

    [Fact]
    public async Task StaffWhoAreNotAdmins_MayReadButNotSign()
    {
        var shelter = await api.Parties.ShelterAdmin();
        var (url, sha256) = await DraftWithDocumentAsync(shelter, Draft(api.Clock.GetUtcNow()));
        await (await shelter.PostEmpty(url + "/submit")).Json();

        var advocate = await api.Parties.Advocate();
        (await advocate.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await advocate.Post(url + "/sign", new { documentSha256 = sha256 })).Problem(HttpStatusCode.Forbidden, "forbidden");

        var compliance = await api.Parties.Compliance();
        (await compliance.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await compliance.Post(url + "/sign", new { documentSha256 = sha256 })).Problem(HttpStatusCode.Forbidden, "read-only");
        await (await compliance.Post("/api/mous", Draft(api.Clock.GetUtcNow()))).Problem(HttpStatusCode.Forbidden, "read-only");

        var survivor = await api.Parties.Survivor();
        await (await survivor.GetAsync("/api/mous")).Problem(HttpStatusCode.Forbidden, "forbidden");
        await (await survivor.GetAsync(url)).Problem(HttpStatusCode.NotFound, "mou-not-found");
    }

    [Fact]
    public async Task BadDrafts_AreRefused_WithTheirProblemType()
    {
        var shelter = await api.Parties.ShelterAdmin();
        var now = api.Clock.GetUtcNow();
        await (await shelter.Post("/api/mous", Draft(now, parties: ["harbor-house"]))).Problem(HttpStatusCode.UnprocessableEntity, "mou-needs-two-parties");
        await (await shelter.Post("/api/mous", Draft(now, parties: ["harbor-house", "harbor-house"]))).Problem(HttpStatusCode.UnprocessableEntity, "mou-needs-two-parties");
        await (await shelter.Post("/api/mous", Draft(now, parties: ["bridge-legal", "northside-clinic"]))).Problem(HttpStatusCode.UnprocessableEntity, "mou-not-a-party");
        await (await shelter.Post("/api/mous", Draft(now, parties: ["harbor-house", "nowhere"]))).Problem(HttpStatusCode.UnprocessableEntity, "unknown-agency");
        await (await shelter.Post("/api/mous", Draft(now, categories: ["gossip"]))).Problem(HttpStatusCode.UnprocessableEntity, "unknown-category");
        await (await shelter.Post("/api/mous", Draft(now, expiresAt: now.AddDays(-1)))).Problem(HttpStatusCode.UnprocessableEntity, "end-before-start");
        await (await shelter.Post("/api/mous", Draft(now, flows: [new { sourceAgencyId = "harbor-house", recipientAgencyId = "metro-police" }])))
            .Problem(HttpStatusCode.UnprocessableEntity, "mou-flow-outside-parties");
        await (await shelter.PostRaw("/api/mous", "{\"title\": }")).Problem(HttpStatusCode.BadRequest, "malformed-request");

        var created = await (await shelter.Post("/api/mous", Draft(now))).Json(HttpStatusCode.Created);
        var url = $"/api/mous/{created.GetProperty("id").GetString()}";
        await (await shelter.PostEmpty(url + "/submit")).Problem(HttpStatusCode.Conflict, "mou-document-missing");
        var text = new StringContent("not a pdf", Encoding.UTF8, "text/plain");
        await (await shelter.PutAsync(url + "/document", text)).Problem(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task DemoMou_IsActive_BetweenShelterAndClinic()
    {
        var clinic = await api.Parties.ClinicAdmin();
        var mous = await (await clinic.GetAsync("/api/mous")).Json();
        mous.EnumerateArray().ShouldContain(m => m.GetProperty("status").GetString() == "active" && m.GetProperty("createdByAgencyId").GetString() == "harbor-house");
    }
}
