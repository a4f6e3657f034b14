using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Consent.Api.Problems;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Api.Auth;

/// <summary>Requests per minute on /api and /fhir, per fixed one-minute window.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Per agency system (a client-credentials token, counted by its client id).</summary>
    [Range(1, int.MaxValue)]
    public int ClientPerMinute { get; set; } = 1200;

    /// <summary>Per signed-in person (a user token, counted by its subject, whichever client presents it).</summary>
    [Range(1, int.MaxValue)]
    public int UserPerMinute { get; set; } = 300;

    /// <summary>Per remote address, for requests without a valid token.</summary>
    [Range(1, int.MaxValue)]
    public int AnonymousPerMinute { get; set; } = 60;
}

/// <summary>
/// Fixed one-minute windows, checked after authentication: a user token counts against its person (so one survivor or
/// advocate cannot use up the portal's share for everyone), a client-credentials token against its agency system, a
/// request without a valid token against its remote address. Over the limit: 429 with Retry-After, a ProblemDetails
/// on /api and an OperationOutcome on /fhir. Everything outside /api and /fhir (health, docs) is not limited.
/// </summary>
public static class RateLimits
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>>((limiter, limits) =>
            {
                var options = limits.Value;
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, options));
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.OnRejected = RejectAsync;
            });
        return builder;
    }

    private static RateLimitPartition<string> Partition(HttpContext http, RateLimitOptions options)
    {
        if (!Limited(http.Request.Path))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        if (http.User.Identity?.IsAuthenticated != true)
        {
            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return RateLimitPartition.GetFixedWindowLimiter("address:" + address, _ => Fixed(options.AnonymousPerMinute));
        }

        var subject = http.User.FindFirstValue(Claims.Subject);
        var client = http.User.FindFirstValue(Claims.ClientId) ?? http.User.FindFirstValue(Claims.Private.Presenter);
        return subject is not null && subject != client
            ? RateLimitPartition.GetFixedWindowLimiter("user:" + subject, _ => Fixed(options.UserPerMinute))
            : RateLimitPartition.GetFixedWindowLimiter("client:" + (client ?? subject ?? "unknown"), _ => Fixed(options.ClientPerMinute));
    }

    private static FixedWindowRateLimiterOptions Fixed(int permits) =>
        new() { PermitLimit = permits, Window = Window, QueueLimit = 0, AutoReplenishment = true };

    private static bool Limited(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/fhir", StringComparison.OrdinalIgnoreCase);

    private static async ValueTask RejectAsync(Microsoft.AspNetCore.RateLimiting.OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ProblemCatalogue.TooManyRequests.WriteAsync(http, "Wait for the time in Retry-After, then try again.");
    }
}
