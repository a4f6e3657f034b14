using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Consent.TestSupport;
using Microsoft.AspNetCore.WebUtilities;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// What agencies' systems do on the running platform for the compliance console's tests to see (reads through /fhir, an
/// emergency read breaking the glass), and the consent API as the signed-in officer, to compare the pages with.
/// </summary>
public static class ComplianceTestData
{
    public const string Survivor = "sv-1001";
    public const string OtherSurvivor = "sv-1002";
    public const string EmergencyTreatment = "ETREAT";

    private const string SurvivorSystem = "https://consent.example/fhir/sid/survivor";

    /// <summary>
    /// An agency's system looks up a survivor's Patient record by their identifier, as an EHR would, stating a purpose
    /// and, when it breaks the glass, the emergency's reason (<c>X-Break-Glass-Reason</c>). The log records the read
    /// whatever the decision, and a break-glass read waits for review. Returns how many records came back (none: refused).
    /// </summary>
    public static async Task<int> ReadAsync(PlatformStack stack, string agencyId, string purpose, string survivor = Survivor,
        string? breakGlassReason = null)
    {
        using var fhir = new HttpClient { BaseAddress = stack.ApiUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get,
            QueryHelpers.AddQueryString("fhir/Patient", "identifier", $"{SurvivorSystem}|{survivor}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await SurvivorTestData.AgencyTokenAsync(stack, agencyId));
        request.Headers.Add("X-Purpose-Of-Use", purpose);
        if (breakGlassReason is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Break-Glass-Reason", breakGlassReason).ShouldBeTrue();
        }

        using var answer = await fhir.SendAsync(request);
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.TryGetProperty("entry", out var entries) ? entries.GetArrayLength() : 0;
    }

    /// <summary>The consent API as the user signed in on <paramref name="browser"/>, with their own token.</summary>
    public static async Task<HttpClient> ApiAsync(StackBrowser browser)
    {
        var api = new HttpClient { BaseAddress = browser.Stack.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await browser.AccessTokenAsync());
        return api;
    }

    /// <summary>GETs <paramref name="path"/> from the API; it must answer 200.</summary>
    public static async Task<JsonElement> GetAsync(HttpClient api, string path)
    {
        using var answer = await api.GetAsync(path);
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, $"{path}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>POSTs nothing to <paramref name="path"/>; the API must answer <paramref name="expected"/>.</summary>
    public static async Task<JsonElement> PostAsync(HttpClient api, string path, HttpStatusCode expected)
    {
        using var answer = await api.PostAsync(path, null);
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(expected, $"{path}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
