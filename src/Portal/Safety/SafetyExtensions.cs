using Consent.Portal.SignIn;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Consent.Portal.Safety;

internal static class SafetyExtensions
{
    /// <summary>The quick exit's address on the portal (see <see cref="QuickExitEndpoint"/>).</summary>
    public const string QuickExitPath = "/exit";

    public static WebApplicationBuilder AddSafety(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SafetyOptions>()
            .Bind(builder.Configuration.GetSection(SafetyOptions.Section))
            .Validate(options => options.QuickExitUrl.IsAbsoluteUri, "Safety:QuickExitUrl must be an absolute URL.")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// No page is kept in the browser cache or history snapshots (someone else may open the back button
    /// later), no address leaks to the quick exit site or any other, and no other site may frame the portal.
    /// </summary>
    public static WebApplication UseSafetyHeaders(this WebApplication app)
    {
        var provider = app.Services.GetRequiredService<IOptions<OidcOptions>>().Value.Authority.GetLeftPart(UriPartial.Authority);
        var policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; " +
                     $"base-uri 'none'; frame-ancestors 'none'; form-action 'self' {provider}";
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                if (!context.Request.Path.StartsWithSegments("/css") && !context.Request.Path.StartsWithSegments("/js"))
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }

                headers[HeaderNames.ContentSecurityPolicy] = policy;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers[HeaderNames.XFrameOptions] = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
