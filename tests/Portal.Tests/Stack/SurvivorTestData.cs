using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Consent.TestSupport;

namespace Consent.Portal.Tests.Stack;

/// <summary>What agencies do to the demo survivor on the running platform, for the survivor pages' tests to see.</summary>
public static class SurvivorTestData
{
    /// <summary>An agency system's token (private_key_jwt, as docs/examples/get-token.sh gets one) from the demo clients.</summary>
    public static async Task<string> AgencyTokenAsync(PlatformStack stack, string agencyId)
    {
        var client = DemoClient.AgencySystemIn(stack.DataDirectory, agencyId);
        using var provider = new HttpClient { BaseAddress = stack.IdentityUrl };
        return await TokenRequests.AgencyTokenAsync(provider, client, tokenEndpoint: new Uri(stack.IdentityUrl, "connect/token").AbsoluteUri);
    }

    /// <summary>An agency system asks the demo survivor for access; returns the request's id.</summary>
    public static async Task<Guid> AgencyRequestAsync(PlatformStack stack, string agencyId, string[] categories, string purpose, int days)
    {
        using var api = new HttpClient { BaseAddress = stack.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AgencyTokenAsync(stack, agencyId));
        var response = await api.PostAsJsonAsync("api/consent-requests", new
        {
            survivorId = "sv-1001",
            categories,
            purpose,
            reason = "To coordinate your appointments with your other helpers.",
            requestedDays = days,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body.ToString());
        return body.GetProperty("id").GetGuid();
    }
}
