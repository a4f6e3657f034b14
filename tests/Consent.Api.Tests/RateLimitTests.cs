using System.Net;
using System.Text.Json;

namespace Consent.Api.Tests;

/// <summary>The API with low limits: 5 requests a minute per client, 3 per user, 2 per address without a token.</summary>
public sealed class LowLimitApi : IAsyncLifetime
{
    public ApiHost Api { get; } = ApiHost.With(new Dictionary<string, string?>
    {
        ["RateLimits:ClientPerMinute"] = "5",
        ["RateLimits:UserPerMinute"] = "3",
        ["RateLimits:AnonymousPerMinute"] = "2",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

public sealed class RateLimitTests(LowLimitApi host) : IClassFixture<LowLimitApi>
{
    [Fact]
    public async Task AgencySystem_OverItsLimit_On_Fhir_Is429_WithRetryAfter_AndAnOperationOutcome()
    {
        var clinic = await host.Api.Parties.AgencySystem("northside-clinic");
        for (var i = 0; i < 5; i++)
        {
            (await clinic.ReadAsync("/fhir/Observation/obs-none")).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
        }

        var refused = await clinic.ReadAsync("/fhir/Observation/obs-none");

        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(1, 60);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        var outcome = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        outcome.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        outcome.GetRawText().ShouldNotContain("northside-clinic");

        // Another client is not affected.
        (await (await host.Api.Parties.AgencySystem("harbor-house")).ReadAsync("/fhir/Observation/obs-none")).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task User_OverTheirLimit_On_Api_Is429_WithRetryAfter_AndAProblem()
    {
        var survivor = await host.Api.Parties.Survivor();
        for (var i = 0; i < 3; i++)
        {
            (await survivor.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var refused = await survivor.GetAsync("/api/me");

        var body = await refused.Problem(HttpStatusCode.TooManyRequests, "too-many-requests");
        refused.Headers.GetValues("Retry-After").ShouldHaveSingleItem();
        body.ShouldNotContain("sv-1001");

        // Another person signed in through the same portal client keeps their own allowance.
        (await (await host.Api.Parties.Advocate()).GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Health is outside the limits.
        (await host.Api.Parties.Anonymous().GetAsync("/health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Anonymous_IsLimitedByAddress()
    {
        var anonymous = host.Api.Parties.Anonymous();
        for (var i = 0; i < 2; i++)
        {
            (await anonymous.GetAsync("/api/agencies")).StatusCode.ShouldNotBe(HttpStatusCode.TooManyRequests);
        }

        var refused = await anonymous.GetAsync("/api/agencies");

        await refused.Problem(HttpStatusCode.TooManyRequests, "too-many-requests");
        refused.Headers.Contains("Retry-After").ShouldBeTrue();
    }
}
