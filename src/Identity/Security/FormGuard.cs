using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Security;

/// <summary>
/// Reads url-encoded forms before OpenIddict does, within fixed limits, so an oversized or malformed
/// form becomes an OAuth <c>invalid_request</c> (400, or 413 for size) instead of an exception
/// thrown from inside the provider's request extraction (which answered 500).
/// </summary>
public sealed class FormGuard(RequestDelegate next)
{
    public const int MaximumBodyBytes = 64 * 1024;
    public const int MaximumKeyLength = 2_048;
    public const int MaximumFields = 1_024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await next(context);
            return;
        }

        if (context.Request.ContentLength > MaximumBodyBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
            return;
        }

        // Buffer at most the limit (chunked bodies carry no Content-Length), then let the form reader
        // apply the key and field limits to the buffered copy.
        var buffer = new MemoryStream();
        var chunk = new byte[8_192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaximumBodyBytes)
            {
                await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
                return;
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        context.Request.Body = buffer;
        var limits = new FormOptions
        {
            KeyLengthLimit = MaximumKeyLength,
            ValueCountLimit = MaximumFields,
            ValueLengthLimit = MaximumBodyBytes,
            MultipartBodyLengthLimit = MaximumBodyBytes,
        };
        context.Features.Set<IFormFeature>(new FormFeature(context.Request, limits));
        try
        {
            await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception exception) when (exception is InvalidDataException or BadHttpRequestException or IOException)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "The request form is malformed or exceeds the allowed number or size of fields.");
            return;
        }

        buffer.Position = 0;
        await next(context);
    }

    private static Task RefuseAsync(HttpContext context, int status, string description)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new Dictionary<string, string>
        {
            [Parameters.Error] = Errors.InvalidRequest,
            [Parameters.ErrorDescription] = description,
        });
    }
}
