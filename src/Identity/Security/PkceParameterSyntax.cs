using System.Text.RegularExpressions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Security;

/// <summary>
/// RFC 7636 §4.1–4.2: a code_verifier and a code_challenge are 43 to 128 characters of the unreserved set
/// (A–Z, a–z, 0–9, '-', '.', '_', '~'). OpenIddict only compares the verifier with the challenge, so a
/// short, guessable verifier (or an oversized one) would be accepted; both are refused as <c>invalid_request</c>.
/// </summary>
public sealed partial class PkceParameterSyntax :
    IOpenIddictServerHandler<ValidateAuthorizationRequestContext>,
    IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor AuthorizationDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<PkceParameterSyntax>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateProofKeyForCodeExchangeParameters.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor TokenDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<PkceParameterSyntax>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateProofKeyForCodeExchangeParameters.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        if (context.Request.CodeChallenge is { } challenge && !Unreserved().IsMatch(challenge))
        {
            context.Reject(error: Errors.InvalidRequest,
                description: "The code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' or '~'.");
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (context.Request.CodeVerifier is { } verifier && !Unreserved().IsMatch(verifier))
        {
            context.Reject(error: Errors.InvalidRequest,
                description: "The code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' or '~'.");
        }

        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._~-]{43,128}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Unreserved();
}
