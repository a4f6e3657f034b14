using Microsoft.AspNetCore.Http;
using Serilog;

namespace Consent.ServiceDefaults;

/// <summary>
/// Adds the matched route template (not the raw path, which may carry ids) to the request log.
/// </summary>
public static class RequestLogEnrichment
{
    public static void Enrich(IDiagnosticContext context, HttpContext http)
    {
        var endpoint = http.GetEndpoint() as Microsoft.AspNetCore.Routing.RouteEndpoint;
        context.Set("RequestPathTemplate", endpoint?.RoutePattern.RawText ?? http.Request.Path.Value ?? "/");
    }
}
