using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Consent.ServiceDefaults.Safety;

/// <summary>
/// What the pages of both web apps (the identity provider's sign-in pages and the portal) share for a person whose
/// device may be watched or shared: the answers' safety headers, the quick exit's script (written once here and served by
/// each app at <c>/js/quick-exit.js</c> beside its own files), and what the quick exit may lead to.
/// </summary>
public static class SafePages
{
    /// <summary>
    /// Headers on every answer, errors and redirects included: no page is kept in the browser cache or its history
    /// snapshots (the next person at a shared device may press the back button; the files under <c>/css</c> and
    /// <c>/js</c> hold nothing personal and may be cached), no address leaks to the quick exit's site or any other
    /// (Referrer-Policy), no other site may frame a page, no content type is guessed, and a Content-Security-Policy that
    /// takes scripts, styles and images only from the app's own files, never inline.
    /// </summary>
    /// <param name="formActionSources">
    /// Where the app's forms may post (<c>form-action</c>): the portal, itself and the identity provider. Null for the
    /// provider, which sets none: its sign-in form's redirect chain ends at the client's registered redirect URI, on
    /// another origin, and browsers apply <c>form-action</c> to the redirects that follow a form post.
    /// </param>
    public static WebApplication UseSafetyHeaders(this WebApplication app, string? formActionSources)
    {
        var contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
            + "base-uri 'none'; frame-ancestors 'none'" + (formActionSources is null ? "" : "; form-action " + formActionSources);
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

    /// <summary>Why the start is refused when <c>Safety:QuickExitUrl</c> is not <see cref="IsQuickExitAddress"/>.</summary>
    public const string QuickExitAddressRequired = "Safety:QuickExitUrl must be an absolute http(s) URL.";

    /// <summary>An address the quick exit may lead to: an absolute http(s) URL (never a <c>javascript:</c> or <c>file:</c> one).</summary>
    public static bool IsQuickExitAddress(Uri? url) => url is { IsAbsoluteUri: true, Scheme: "https" or "http" };

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
