using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Consent.Api.Tests;

/// <summary>One answer the API gave: the operation (method and route template as the OpenAPI document writes it), the status and the media type.</summary>
public sealed record ObservedAnswer(string Method, string Route, int Status, string? MediaType)
{
    public override string ToString() => $"{Method} {Route} -> {Status}" + (MediaType is null ? "" : $" ({MediaType})");
}

/// <summary>
/// Records every answer the host gives on a route the OpenAPI document describes, as the response starts (so before
/// the caller sees it). A test compares the recording with the document: what the API does, the document must say.
/// </summary>
public sealed partial class ObservedAnswers : IStartupFilter
{
    private readonly ConcurrentDictionary<ObservedAnswer, byte> answers = new();

    public IReadOnlyList<ObservedAnswer> All => [.. answers.Keys.OrderBy(a => a.Route, StringComparer.Ordinal).ThenBy(a => a.Method).ThenBy(a => a.Status)];

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, inner) =>
        {
            http.Response.OnStarting(() =>
            {
                Record(http);
                return Task.CompletedTask;
            });
            return inner(http);
        });
        next(app);
    };

    private void Record(HttpContext http)
    {
        // The exception handler clears the endpoint before it answers a bad body; it keeps it in its feature.
        var endpoint = http.GetEndpoint() ?? http.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        if (endpoint is not RouteEndpoint route || !Described(route))
        {
            return;
        }

        var media = MediaTypeHeaderValue.TryParse(http.Response.ContentType, out var type) ? type.MediaType.Value : null;
        answers.TryAdd(new ObservedAnswer(http.Request.Method, Template(route.RoutePattern.RawText ?? ""), http.Response.StatusCode, media), 0);
    }

    /// <summary>Route handlers are in the document unless they opt out; health checks, the document itself and Scalar are not.</summary>
    public static bool Described(RouteEndpoint route) =>
        route.Metadata.GetMetadata<System.Reflection.MethodInfo>() is not null
        && route.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true };

    /// <summary>A route template as the document writes paths: no constraints, no trailing slash.</summary>
    public static string Template(string raw)
    {
        var template = Constraint().Replace(raw, "{$1}");
        return template.Length > 1 ? template.TrimEnd('/') : template;
    }

    /// <summary>Every answer in the recording the document does not list: an unknown operation, a status it omits, or an error in another shape.</summary>
    public static List<string> Undocumented(JsonElement document, IEnumerable<ObservedAnswer> observed)
    {
        var paths = document.GetProperty("paths");
        var missing = new List<string>();
        foreach (var answer in observed)
        {
            if (!paths.TryGetProperty(answer.Route, out var path) || !path.TryGetProperty(answer.Method.ToLowerInvariant(), out var operation))
            {
                missing.Add($"{answer}: the document has no such operation");
                continue;
            }

            var status = answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.TryGetProperty("responses", out var responses) || !responses.TryGetProperty(status, out var response))
            {
                missing.Add($"{answer}: status not listed");
                continue;
            }

            if (answer.Status >= 400 && answer.MediaType is { } media
                && !(response.TryGetProperty("content", out var content) && content.TryGetProperty(media, out _)))
            {
                missing.Add($"{answer}: the document lists another shape for this error");
            }
        }

        return missing;
    }

    [GeneratedRegex(@"\{\**([^}:=?]+)[^}]*\}")]
    private static partial Regex Constraint();
}
