using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Security;

/// <summary>
/// SMART Backend Services clients address their assertions to the token endpoint URL, while OpenIddict only
/// expects the issuer. The audience check of client assertions is therefore left to
/// <see cref="SmartClientAssertionRules"/>, which requires the endpoint URL and answers <c>invalid_client</c>
/// as RFC 6749 asks for a failed client authentication.
/// </summary>
public sealed class AcceptEndpointAudience : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<AcceptEndpointAudience>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateAudiences.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.ValidTokenTypes.Count == 1 && context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion))
        {
            context.DisableAudienceValidation = true;
        }

        return ValueTask.CompletedTask;
    }
}
