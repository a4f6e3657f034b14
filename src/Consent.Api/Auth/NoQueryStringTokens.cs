using Microsoft.AspNetCore;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Consent.Api.Auth;

/// <summary>
/// A token in the query string ends up in proxy, browser and server logs and in Referer headers. OpenIddict's
/// extraction from the query is turned off (and from form bodies); this handler goes further and refuses a request
/// that carries <c>access_token</c> in its query at all, even beside a valid Authorization header, so that a caller
/// who leaks tokens that way finds out at once.
/// </summary>
internal sealed class NoQueryStringTokens : IOpenIddictValidationHandler<ProcessAuthenticationContext>
{
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; }
        = OpenIddictValidationHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseSingletonHandler<NoQueryStringTokens>()
            .SetOrder(int.MinValue + 50_000)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (context.Transaction.GetHttpRequest()?.Query.ContainsKey(Parameters.AccessToken) == true)
        {
            context.Reject(error: Errors.InvalidToken, description: "Send the access token in the Authorization header, not in the query string.");
        }

        return ValueTask.CompletedTask;
    }
}
