using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;

namespace Consent.ServiceDefaults;

/// <summary>
/// Refuses bodies over the configured size (Kestrel:Limits:MaxRequestBodySize) with a 413 ProblemDetails
/// before anything reads them. Kestrel enforces the same limit on streamed bodies; this answers early and
/// clearly when the declared length is already too large.
/// </summary>
public sealed class RequestSizeLimit(RequestDelegate next, IConfiguration configuration)
{
    private readonly long limit = configuration.GetValue<long?>("Kestrel:Limits:MaxRequestBodySize") ?? 1_048_576;

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Type = "https://consent.example/problems/request-too-large",
                    Title = "The request body is too large.",
                    Detail = $"Send at most {limit} bytes.",
                },
            });
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}
