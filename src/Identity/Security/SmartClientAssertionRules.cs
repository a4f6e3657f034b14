using Consent.Identity.Connect;
using Consent.Identity.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Security;

/// <summary>
/// Applies the SMART Backend Services rules OpenIddict leaves to the host, after OpenIddict has
/// checked the assertion's signature against the client's registered keys, its issuer/subject and expiry:
/// only RS384/ES384; the audience is the endpoint the assertion is sent to; iat no older and exp no
/// further away than five minutes; the jti is used once (refused on the second presentation).
/// </summary>
public sealed partial class SmartClientAssertionRules(
    IdentityDb db,
    IOpenIddictApplicationManager applications,
    TimeProvider time,
    IOptions<ClientAssertionOptions> options,
    ILogger<SmartClientAssertionRules> logger) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
            .UseScopedHandler<SmartClientAssertionRules>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientAssertionIssuer.Descriptor.Order + 2_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        if (context.ClientAssertionPrincipal is null || string.IsNullOrEmpty(context.ClientAssertion))
        {
            return;
        }

        var rules = options.Value;
        var token = new JsonWebToken(context.ClientAssertion);
        var clientId = context.ClientId ?? token.Issuer;
        var now = time.GetUtcNow();

        if (!rules.AllowedAlgorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            Reject(context, clientId, "The client assertion must be signed with RS384 or ES384.");
            return;
        }

        // A kid must name one of the client's registered keys; otherwise the key that verified it is a guess.
        if (!string.IsNullOrEmpty(token.Kid))
        {
            var application = await applications.FindByClientIdAsync(clientId);
            var keys = application is null ? null : await applications.GetJsonWebKeySetAsync(application);
            if (keys is null || !keys.Keys.Any(key => string.Equals(key.KeyId, token.Kid, StringComparison.Ordinal)))
            {
                Reject(context, clientId, "The client assertion names a key that is not registered for this client.");
                return;
            }
        }

        var endpoint = ConnectPaths.EndpointUri(context.Options.Issuer ?? context.BaseUri, context.EndpointType);
        if (endpoint is null || !token.Audiences.Any(audience => string.Equals(audience.TrimEnd('/'), endpoint.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal)))
        {
            Reject(context, clientId, "The client assertion audience must be the token endpoint URL.");
            return;
        }

        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Iat, out var issuedAtUnix) ||
            DateTimeOffset.FromUnixTimeSeconds(issuedAtUnix) < now - rules.MaximumLifetime - rules.ClockSkew ||
            DateTimeOffset.FromUnixTimeSeconds(issuedAtUnix) > now + rules.ClockSkew)
        {
            Reject(context, clientId, "The client assertion must carry an iat no older than five minutes.");
            return;
        }

        // OpenIddict's own lifetime check tolerates five minutes; the platform's skew is stricter.
        var expiresAt = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out _) || expiresAt < now - rules.ClockSkew)
        {
            Reject(context, clientId, "The client assertion has expired.");
            return;
        }

        if (token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var notBeforeUnix) &&
            DateTimeOffset.FromUnixTimeSeconds(notBeforeUnix) > now + rules.ClockSkew)
        {
            Reject(context, clientId, "The client assertion is not yet valid.");
            return;
        }

        if (expiresAt > now + rules.MaximumLifetime + rules.ClockSkew)
        {
            Reject(context, clientId, "The client assertion must expire within five minutes.");
            return;
        }

        if (string.IsNullOrWhiteSpace(token.Id) || token.Id.Length > 200)
        {
            Reject(context, clientId, "The client assertion must carry a jti.");
            return;
        }

        db.SpentAssertions.Add(new SpentAssertion(clientId, token.Id, expiresAt));
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            Reject(context, clientId, "The client assertion has already been used.");
            return;
        }

        // Spent ids are only needed while the assertion could still be accepted.
        var horizon = (now - rules.MaximumLifetime - rules.ClockSkew).ToUnixTimeSeconds();
        await db.SpentAssertions.Where(a => a.ExpiresAtUnix < horizon).ExecuteDeleteAsync();
    }

    private void Reject(ProcessAuthenticationContext context, string clientId, string description)
    {
        LogAssertionRejected(logger, clientId, description);
        context.Reject(error: Errors.InvalidClient, description: description);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Client assertion of {ClientId} rejected: {Reason}")]
    private static partial void LogAssertionRejected(ILogger logger, string clientId, string reason);
}
