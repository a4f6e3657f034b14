using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Security;

/// <summary>
/// Accepts client assertions typed as standard clients type them. OpenIddict 7 accepts only the explicit
/// <c>client-authentication+jwt</c> (draft-ietf-oauth-rfc7523bis), but SMART Backend Services fixes <c>typ</c> to
/// <c>JWT</c> and most RFC 7523 libraries send <c>JWT</c> or nothing, so those clients got <c>invalid_client</c>.
/// <para>
/// What explicit typing protects against stays refused: any other JWT type (an access token <c>at+jwt</c>, a DPoP
/// proof, a request object, a logout token) presented as an assertion. Tokens we issue ourselves cannot pass either:
/// the assertion's signature is checked against the client's registered keys only, its issuer must be the client
/// (OpenIddict), and <see cref="SmartClientAssertionRules"/> requires the token endpoint as audience, a single-use jti and
/// a lifetime of at most five minutes.
/// </para>
/// <para>
/// The audience is left to <see cref="SmartClientAssertionRules"/> as well: OpenIddict's generic audience check does not
/// accept the token endpoint URL that SMART clients address their assertions to, and answers a failure with
/// <c>invalid_token</c> where RFC 6749 §5.2 asks for <c>invalid_client</c>.
/// </para>
/// </summary>
public sealed class AcceptStandardClientAssertions : IOpenIddictServerHandler<ValidateTokenContext>
{
    /// <summary>The explicit type, to which the generic and absent types are normalised for OpenIddict's later checks.</summary>
    public const string ExplicitType = "client-authentication+jwt";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<AcceptStandardClientAssertions>()
            .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.ValidTokenTypes.Count == 1 && context.ValidTokenTypes.Contains(TokenTypeIdentifiers.Private.ClientAssertion) &&
            context.TokenValidationParameters is { } parameters)
        {
            parameters.TypeValidator = ValidateType;
            context.DisableAudienceValidation = true;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The <c>typ</c> header values a client assertion may carry (media types compare case-insensitively, RFC 7515 §4.1.9).</summary>
    public static string ValidateType(string? type, SecurityToken token, TokenValidationParameters parameters) => type switch
    {
        null or "" => ExplicitType,
        _ when type.Equals("JWT", StringComparison.OrdinalIgnoreCase) || type.Equals("application/jwt", StringComparison.OrdinalIgnoreCase) => ExplicitType,
        _ when type.Equals(ExplicitType, StringComparison.OrdinalIgnoreCase) || type.Equals("application/" + ExplicitType, StringComparison.OrdinalIgnoreCase) => ExplicitType,
        _ => throw new SecurityTokenInvalidTypeException("The client assertion's typ is not one a client assertion may carry.") { InvalidType = type },
    };
}
