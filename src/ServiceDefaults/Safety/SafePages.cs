using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Consent.ServiceDefaults.Safety;

/// <summary>
/// What the pages of both web apps (the identity provider's sign-in pages and the portal) share for a person whose
/// device may be watched or shared: the answers' safety headers, and the quick exit's script, written once here and
/// served by each app at <c>/js/quick-exit.js</c> beside its own files.
/// </summary>
public static class SafePages
{
    /// <summary>The quick exit's script: on a click or Escape it hides the page and replaces it in the history.</summary>
    public const string QuickExitScript = "js/quick-exit.js";

    /// <summary>
    /// Headers on every answer, errors and redirects included: no page is kept in the browser cache or its history
    /// snapshots (the next person at a shared device may press the back button; the files under <c>/css</c> and
    /// <c>/js</c> hold nothing personal and may be cached), no address leaks to the quick exit's site or any other
    /// (Referrer-Policy), no other site may frame a page, no content type is guessed, and the app's own
    /// Content-Security-Policy (scripts only from the app's files, never inline).
    /// </summary>
    public static WebApplication UseSafetyHeaders(this WebApplication app, string contentSecurityPolicy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentSecurityPolicy);
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var (http, policy) = ((HttpContext, string))state;
                var headers = http.Response.Headers;
                if (!http.Request.Path.StartsWithSegments("/css") && !http.Request.Path.StartsWithSegments("/js"))
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }

                headers[HeaderNames.ContentSecurityPolicy] = policy;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers[HeaderNames.XFrameOptions] = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            }, (context, contentSecurityPolicy));
            return next(context);
        });
        return app;
    }

    /// <summary>
    /// Serves the app's <c>wwwroot</c> and, beside it, the quick exit's script from this assembly. The script joins the
    /// web root's file provider, so <c>asp-append-version</c> versions it like the app's own files.
    /// </summary>
    public static WebApplication UseStaticFilesWithQuickExit(this WebApplication app)
    {
        var environment = app.Services.GetRequiredService<IWebHostEnvironment>();
        var shared = new EmbeddedFileProvider(typeof(SafePages).Assembly, "Consent.ServiceDefaults.Safety.wwwroot");
        environment.WebRootFileProvider = new CompositeFileProvider(environment.WebRootFileProvider, shared);
        app.UseStaticFiles();
        return app;
    }
}
