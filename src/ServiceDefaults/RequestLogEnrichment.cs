using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serilog.Core;
using Serilog.Events;

namespace Consent.ServiceDefaults;

/// <summary>
/// The request log names the matched route template (<c>/api/survivors/{survivorId}/consents</c>), never the raw
/// path, which carries survivor and record ids. The template is taken as soon as routing has matched, because the
/// exception handler clears the endpoint before the request log writes its line.
/// </summary>
public static class RequestLogEnrichment
{
    /// <summary>What is logged for a request that matched no endpoint: its path may be anything a caller typed.</summary>
    public const string Unmatched = "(no endpoint)";

    private static readonly object TemplateKey = new();

    /// <summary>Remembers the matched template; runs after routing, before the exception handler.</summary>
    public static Task CaptureTemplate(HttpContext http, RequestDelegate next)
    {
        http.Items[TemplateKey] = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? Unmatched;
        return next(http);
    }

    public static string Template(HttpContext http) =>
        http.Items.TryGetValue(TemplateKey, out var template) && template is string text
            ? text
            : (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? Unmatched;

    /// <summary>The request log line's properties: method, template, status and time; no <c>RequestPath</c>.</summary>
    public static IEnumerable<LogEventProperty> Properties(HttpContext http, string requestPath, double elapsedMs, int statusCode) =>
    [
        new("RequestMethod", new ScalarValue(http.Request.Method)),
        new("RequestPathTemplate", new ScalarValue(Template(http))),
        new("StatusCode", new ScalarValue(statusCode)),
        new("Elapsed", new ScalarValue(elapsedMs)),
    ];

    /// <summary>A caller's bad request is not a server error: 4xx at Information, 5xx (or an exception that escaped) at Error.</summary>
    public static LogEventLevel Level(HttpContext http, double elapsedMs, Exception? exception) =>
        exception is not null && exception is not BadHttpRequestException || http.Response.StatusCode >= 500
            ? LogEventLevel.Error
            : LogEventLevel.Information;
}

/// <summary>Drops the raw request path the host's log scope adds to events; the request log names the template instead.</summary>
public sealed class WithoutRawPath : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) => logEvent.RemovePropertyIfPresent("RequestPath");
}
