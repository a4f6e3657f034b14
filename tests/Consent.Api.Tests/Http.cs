using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Consent.Api.Tests;

/// <summary>Reading answers: JSON bodies and ProblemDetails with their catalogued type.</summary>
public static class Http
{
    public const string Problems = "https://consent.example/problems/";

    public static async Task<JsonElement> Json(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts status, ProblemDetails media type and type; returns the body text for leak checks.</summary>
    public static async Task<string> Problem(this HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("type").GetString().ShouldBe(Problems + type);
        body.GetProperty("status").GetInt32().ShouldBe((int)status);
        text.ShouldNotContain("   at ");
        text.ShouldNotContain("Exception");
        return text;
    }

    /// <summary>The body without the per-request trace id, to compare two answers byte for byte.</summary>
    public static string WithoutTrace(string problemJson)
    {
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(problemJson)!;
        body.Remove("traceId");
        return JsonSerializer.Serialize(body);
    }

    public static Task<HttpResponseMessage> Post(this HttpClient http, string url, object body) => http.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> Put(this HttpClient http, string url, object body) => http.PutAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient http, string url, string json) =>
        http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PostEmpty(this HttpClient http, string url) =>
        http.PostAsync(url, JsonContent.Create(new { }));

    public static IEnumerable<string?> Strings(this JsonElement array) => array.EnumerateArray().Select(e => e.GetString());
}
