using System.Threading.RateLimiting;
using Consent.Identity.Connect;
using Microsoft.Extensions.Options;

namespace Consent.Identity.Security;

/// <summary>
/// Limits password attempts and token requests per client address. It is a global limiter keyed by path,
/// because OpenIddict answers token requests it rejects before any endpoint runs.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddSignInRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                var path = http.Request.Path;
                if (HttpMethods.IsPost(http.Request.Method) && path.StartsWithSegments("/account"))
                {
                    return RateLimitPartition.GetFixedWindowLimiter("login:" + address, _ => Window(limits.LoginPerMinute));
                }

                if (path.StartsWithSegments("/" + ConnectPaths.Token))
                {
                    return RateLimitPartition.GetFixedWindowLimiter("token:" + address, _ => Window(limits.TokenPerMinute));
                }

                return RateLimitPartition.GetNoLimiter("open");
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                if (context.HttpContext.Request.Path.StartsWithSegments("/" + ConnectPaths.Token))
                {
                    // OAuth clients expect an OAuth error body.
                    await context.HttpContext.Response.WriteAsJsonAsync(new Dictionary<string, string>
                    {
                        ["error"] = "temporarily_unavailable",
                        ["error_description"] = "Too many token requests; retry after a minute.",
                    }, cancellationToken);
                    return;
                }

                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Type = "https://consent.example/problems/too-many-attempts",
                        Title = "Too many attempts. Wait a minute and try again.",
                    },
                });
            };
        });
        return services;
    }

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    };
}
