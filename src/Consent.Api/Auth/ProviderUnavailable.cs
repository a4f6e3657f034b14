using Microsoft.AspNetCore;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Consent.Api.Auth;

/// <summary>
/// When the identity provider's discovery document or keys cannot be fetched, no token can be checked and
/// OpenIddict answers <c>server_error</c>. That is the provider being unavailable, not a fault here:
/// answer 503 so callers retry, with nothing let through.
/// </summary>
internal sealed class ProviderUnavailable<TContext> : IOpenIddictValidationHandler<TContext>
    where TContext : BaseRequestContext
{
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; }
        = OpenIddictValidationHandlerDescriptor.CreateBuilder<TContext>()
            .UseSingletonHandler<ProviderUnavailable<TContext>>()
            .SetOrder(OpenIddictValidationAspNetCoreHandlers.AttachHttpResponseCode<TContext>.Descriptor.Order + 1)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        if (context.Transaction.Response?.Error == Errors.ServerError &&
            context.Transaction.GetHttpRequest()?.HttpContext.Response is { HasStarted: false } response)
        {
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            response.Headers.RetryAfter = "30";
        }

        return ValueTask.CompletedTask;
    }
}
