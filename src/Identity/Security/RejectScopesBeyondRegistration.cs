using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Security;

/// <summary>
/// A token request naming a scope the client is not registered for is answered <c>invalid_scope</c>
/// (RFC 6749 §5.2), rather than OpenIddict's generic <c>invalid_request</c>, so agency developers see at once
/// which part of their request is wrong.
/// </summary>
public sealed class RejectScopesBeyondRegistration(IOpenIddictApplicationManager applications)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RejectScopesBeyondRegistration>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateScopePermissions.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (!context.Request.IsClientCredentialsGrantType() || string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(context.ClientId);
        if (application is null)
        {
            return;
        }

        foreach (var scope in context.Request.GetScopes())
        {
            if (scope is Scopes.OpenId or Scopes.OfflineAccess ||
                !await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + scope))
            {
                context.Reject(error: Errors.InvalidScope,
                    description: $"The client is not registered for the scope '{scope}'.");
                return;
            }
        }
    }
}
