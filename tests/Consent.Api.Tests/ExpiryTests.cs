using System.Net;

namespace Consent.Api.Tests;

/// <summary>Statuses are computed against the clock: a grant expires without anyone touching it.</summary>
public sealed class ExpiryTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Grant_ExpiresAtItsEnd_AndCanThenNoLongerBeRevoked()
    {
        var survivor = await api.Parties.Survivor();
        var grant = await (await survivor.Post("/api/survivors/sv-1001/consents",
            ConsentsTests.Grant(end: api.Clock.GetUtcNow().AddDays(10)))).Json(HttpStatusCode.Created);
        var url = $"/api/survivors/sv-1001/consents/{grant.GetProperty("id").GetString()}";
        var future = await (await survivor.Post("/api/survivors/sv-1001/consents",
            ConsentsTests.Grant(start: api.Clock.GetUtcNow().AddDays(20), end: api.Clock.GetUtcNow().AddDays(40)))).Json(HttpStatusCode.Created);
        future.GetProperty("status").GetString().ShouldBe("pending");
        var futureUrl = $"/api/survivors/sv-1001/consents/{future.GetProperty("id").GetString()}";

        api.Clock.Advance(TimeSpan.FromDays(9));
        (await (await survivor.GetAsync(url)).Json()).GetProperty("status").GetString().ShouldBe("active");

        api.Clock.Advance(TimeSpan.FromDays(2));
        (await (await survivor.GetAsync(url)).Json()).GetProperty("status").GetString().ShouldBe("expired");
        await (await survivor.PostEmpty(url + "/revoke")).Problem(HttpStatusCode.Conflict, "consent-not-active");

        api.Clock.Advance(TimeSpan.FromDays(10));
        (await (await survivor.GetAsync(futureUrl)).Json()).GetProperty("status").GetString().ShouldBe("active");
    }
}

/// <summary>An MOU expires on its date without anyone touching it.</summary>
public sealed class MouExpiryTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Mou_IsSignedBeforeItsEffectiveDate_ActiveBetween_ExpiredAfter()
    {
        var shelter = await api.Parties.ShelterAdmin();
        var clinic = await api.Parties.ClinicAdmin();
        var now = api.Clock.GetUtcNow();
        var (url, sha256) = await MousTests.DraftWithDocumentAsync(shelter, MousTests.Draft(now, effectiveFrom: now.AddDays(5), expiresAt: now.AddDays(50)));
        await (await shelter.PostEmpty(url + "/submit")).Json();
        await (await shelter.Post(url + "/sign", new { documentSha256 = sha256 })).Json();
        (await (await clinic.Post(url + "/sign", new { documentSha256 = sha256 })).Json()).GetProperty("status").GetString().ShouldBe("signed");

        api.Clock.Advance(TimeSpan.FromDays(6));
        (await (await clinic.GetAsync(url)).Json()).GetProperty("status").GetString().ShouldBe("active");

        api.Clock.Advance(TimeSpan.FromDays(45));
        (await (await clinic.GetAsync(url)).Json()).GetProperty("status").GetString().ShouldBe("expired");
        await (await clinic.Post(url + "/terminate", new { })).Problem(HttpStatusCode.Conflict, "mou-already-ended");
    }
}
