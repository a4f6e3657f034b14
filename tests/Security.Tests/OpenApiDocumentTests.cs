using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Consent.Api.Tests;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Security.Tests;

/// <summary>
/// The OpenAPI document tells the truth: every answer the API gives (method, route, status, and for errors the media
/// type) is listed for that operation, and every operation it lists is a route the API has. The answers compared are
/// those of a sweep of every documented operation by every kind of caller, with unreadable, mistyped and oversized
/// bodies where a body is accepted, plus every answer the suite's other cases drew from the same host before.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class OpenApiDocumentTests(SecuritySuite suite)
{
    [Fact]
    public async Task EveryAnswerTheApiGave_IsListedInTheDocument()
    {
        var document = await DocumentAsync();
        var callers = new List<HttpClient> { suite.Parties.Anonymous(), await suite.Parties.ConsentDirectory() };
        foreach (var role in AccessRules.Signed)
        {
            callers.Add(await suite.As(role));
        }

        var advocate = await suite.As(Role.Advocate);
        var system = await suite.As(Role.AgencySystem);
        foreach (var (method, path) in Operations(document))
        {
            var url = Url(path);
            var fhir = path.StartsWith("/fhir", StringComparison.Ordinal);
            var body = method is "POST" or "PUT";
            foreach (var caller in callers)
            {
                await SendAsync(caller, method, url, body ? Body(fhir, "{}") : null, fhir ? "TREAT" : null);
            }

            if (fhir)
            {
                // A read without a purpose of use, and one that asks for XML.
                await SendAsync(system, method, url, body ? Body(fhir, "{}") : null, null);
                await SendAsync(system, method, url, body ? Body(fhir, "{}") : null, "TREAT", accept: "application/fhir+xml");
            }

            if (body)
            {
                var owner = fhir ? system : advocate;
                await SendAsync(owner, method, url, Body(fhir, "{"), fhir ? "TREAT" : null);
                await SendAsync(owner, method, url, new StringContent("x", Encoding.UTF8, "text/plain"), fhir ? "TREAT" : null);
                await SendAsync(owner, method, url, new ByteArrayContent(new byte[2 * 1024 * 1024]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
                    fhir ? "TREAT" : null);
            }
        }

        var undocumented = ObservedAnswers.Undocumented(document, suite.Api.Answers.All);
        undocumented.ShouldBeEmpty("Answers the OpenAPI document does not list:\n" + string.Join("\n", undocumented));
    }

    [Fact]
    public async Task EveryOperationOfTheDocument_IsARouteTheApiHas()
    {
        var routes = suite.Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => $"{m} {ObservedAnswers.Template(e.RoutePattern.RawText ?? "")}"))
            .ToHashSet(StringComparer.Ordinal);

        var operations = Operations(await DocumentAsync()).Select(o => $"{o.Method} {o.Path}").ToList();

        operations.Count.ShouldBeGreaterThan(60);
        var unknown = operations.Where(o => !routes.Contains(o)).ToList();
        unknown.ShouldBeEmpty("Operations of the document the API has no route for: " + string.Join(", ", unknown));
    }

    [Fact]
    public async Task EveryError_IsDocumentedInItsShape_ProblemDetailsOnApi_OperationOutcomeOnFhir()
    {
        var document = await DocumentAsync();
        var wrong = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var (media, schema) = path.Name.StartsWith("/fhir", StringComparison.Ordinal)
                ? ("application/fhir+json", "#/components/schemas/OperationOutcome")
                : ("application/problem+json", "#/components/schemas/");
            foreach (var operation in path.Value.EnumerateObject())
            {
                foreach (var response in operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
                {
                    var reference = response.Value.TryGetProperty("content", out var content) && content.TryGetProperty(media, out var type)
                        ? type.GetProperty("schema").GetProperty("$ref").GetString() : null;
                    var expected = path.Name.StartsWith("/fhir", StringComparison.Ordinal)
                        ? reference == schema
                        : reference is "#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails";
                    if (!expected)
                    {
                        wrong.Add($"{operation.Name.ToUpperInvariant()} {path.Name} {response.Name}: {reference ?? "no " + media}");
                    }
                }
            }
        }

        wrong.ShouldBeEmpty(string.Join("\n", wrong));
    }

    private async Task<JsonElement> DocumentAsync() =>
        JsonDocument.Parse(await suite.Parties.Anonymous().GetStringAsync("/openapi/v1.json")).RootElement.Clone();

    private static IEnumerable<(string Method, string Path)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch")
            .Select(o => (o.Name.ToUpperInvariant(), path.Name)));

    /// <summary>The demo survivor and agency where the route names them, an Observation for FHIR's type, an id nobody has elsewhere.</summary>
    private static string Url(string path)
    {
        var url = new StringBuilder();
        foreach (var segment in path.Split('/').Skip(1))
        {
            url.Append('/').Append(segment switch
            {
                "{survivorId}" => SecuritySuite.DemoSurvivor,
                "{agencyId}" => "harbor-house",
                "{sequence}" => "1",
                "{type}" => "Observation",
                "{textId}" => "general-sharing",
                "{version}" => "3",
                _ when segment.StartsWith('{') => Guid.NewGuid().ToString(),
                _ => segment,
            });
        }

        return url.ToString();
    }

    private static StringContent Body(bool fhir, string json) => new(json, Encoding.UTF8, fhir ? "application/fhir+json" : "application/json");

    private static async Task SendAsync(HttpClient http, string method, string url, HttpContent? body, string? purpose, string? accept = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body };
        if (purpose is not null)
        {
            request.Headers.Add("X-Purpose-Of-Use", purpose);
        }

        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
    }
}
