using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Problems;

/// <summary>
/// Errors that are the caller's, not the server's. A body that is not valid JSON (or not the expected shape) is the caller's error: 400 with the catalogued
/// type, never the parser's message, which may quote the body.
/// </summary>
internal sealed class CallerErrorHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is DbUpdateConcurrencyException)
        {
            // Two changes to one grant at once: the version check let one through; the other reads again.
            httpContext.Response.StatusCode = ProblemCatalogue.ConcurrentChange.Status;
            await new Problem(ProblemCatalogue.ConcurrentChange).ToResult().ExecuteAsync(httpContext);
            return true;
        }

        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var kind = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? ProblemCatalogue.RequestTooLarge
            : bad.StatusCode == StatusCodes.Status415UnsupportedMediaType
                ? ProblemCatalogue.UnsupportedMediaType
                : ProblemCatalogue.MalformedRequest;
        httpContext.Response.StatusCode = kind.Status;
        await new Problem(kind).ToResult().ExecuteAsync(httpContext);
        return true;
    }
}
