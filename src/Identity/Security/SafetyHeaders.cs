using Microsoft.Net.Http.Headers;

namespace Consent.Identity.Security;

/// <summary>
/// Headers on every answer of the provider, errors and redirects included. No page is kept in the browser
/// cache or its history snapshots (the next person at a shared device may press the back button), no address
/// leaks to the quick exit site or any other (Referrer-Policy), no other site may frame the sign-in pages, and
/// scripts come only from the provider's own files, never inline. The policy has no <c>form-action</c>: the
/// sign-in form's redirect chain ends at the client's registered redirect URI, on another origin, and browsers
/// apply <c>form-action</c> to the redirects that follow a form post.
/// </summary>
internal static class SafetyHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; " +
        "base-uri 'none'; frame-ancestors 'none'";

    public static WebApplication UseSafetyHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                if (!http.Request.Path.StartsWithSegments("/css") && !http.Request.Path.StartsWithSegments("/js"))
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }

                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers[HeaderNames.XFrameOptions] = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        return app;
    }
}
