using System.Globalization;
using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.LogVerification;

/// <summary>
/// <c>POST /api/log/verify</c>: compliance officers check the whole disclosure log from inside the API (the same checks
/// as <c>consent verify-log</c>, against the keys stored in the database), optionally against tree heads they saved.
/// </summary>
public static class LogVerificationApi
{
    public static WebApplicationBuilder AddLogVerification(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OnlineLogVerifier>();
        return builder;
    }

    public static RouteHandlerBuilder MapLogVerification(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/log/verify", Verify).WithTags("Disclosure log tree")
            .WithSummary("Compliance officers: verify the whole log now (entries, tree, signed heads under the stored keys; optionally a JSON "
                + "array of saved tree heads in the body). One check at a time. On SQLite (a file) or PostgreSQL.")
            .WithProblems(ProblemCatalogue.Forbidden, ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest,
                ProblemCatalogue.RequestTooLarge, ProblemCatalogue.UnsupportedMediaType, ProblemCatalogue.LogVerificationRunning,
                ProblemCatalogue.OnlineVerificationNeedsSqlite, ProblemCatalogue.LogVerificationUnavailable);

    private static async Task<Results<Ok<LogVerificationReport>, ProblemHttpResult>> Verify(
        HttpRequest request, ApiCaller caller, OnlineLogVerifier verifier, CancellationToken ct)
    {
        var outcome = await verifier.VerifyAsync(caller, request.Query, await ReadBodyAsync(request, ct));
        if (outcome.Problem?.Kind == ProblemCatalogue.LogVerificationRunning)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((long)verifier.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return outcome.ToOk();
    }

    /// <summary>Reads at most one byte more than allowed, so an over-long body is known without reading all of it.</summary>
    private static async Task<PostedBody> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > OnlineLogVerifier.MaximumBodyBytes)
        {
            return new PostedBody(request.ContentType, [], TooLarge: true);
        }

        var buffer = new byte[OnlineLogVerifier.MaximumBodyBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
        }

        return read > OnlineLogVerifier.MaximumBodyBytes
            ? new PostedBody(request.ContentType, [], TooLarge: true)
            : new PostedBody(request.ContentType, buffer[..read], TooLarge: false);
    }
}
