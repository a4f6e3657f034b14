using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Consent.ServiceDefaults;

/// <summary>
/// <c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c> on every response, errors included: answers about
/// survivors must not stay in a browser's, a proxy's or a shared device's cache.
/// </summary>
public static class NoStoreResponses
{
    public static WebApplication UseNoStore(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
                return Task.CompletedTask;
            }, http.Response);
            return next(http);
        });
        return app;
    }
}
