using System.Text.RegularExpressions;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Security;

/// <summary>
/// The token endpoint's scope check, in place of OpenIddict's: a scope the client is not registered for is answered
/// <c>invalid_scope</c> (RFC 6749 §5.2) rather than the generic <c>invalid_request</c>, so agency developers see at once
/// which part of their request is wrong; and a SMART v2 system scope is covered by a registration for the same or a
/// wider one (<c>system/Patient.rs</c> by <c>system/*.rs</c> or <c>system/Patient.cruds</c>), as SMART clients that ask
/// for exactly the resources they need expect.
/// </summary>
public sealed partial class RejectScopesBeyondRegistration(IOpenIddictApplicationManager applications)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RejectScopesBeyondRegistration>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateScopePermissions.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(context.ClientId);
        if (application is null)
        {
            return;
        }

        var permissions = await applications.GetPermissionsAsync(application);
        foreach (var scope in context.Request.GetScopes())
        {
            // openid and offline_access are not scopes of a client_credentials token; for the other grants they are
            // governed by the endpoint and grant permissions, as OpenIddict's own check treats them.
            var refused = scope is Scopes.OpenId or Scopes.OfflineAccess
                ? context.Request.IsClientCredentialsGrantType()
                : !IsCovered(scope, permissions);
            if (refused)
            {
                context.Reject(error: Errors.InvalidScope, description: $"The client is not registered for the scope '{scope}'.");
                return;
            }
        }
    }

    /// <summary>Registered as such, or a SMART system scope within a registered one.</summary>
    public static bool IsCovered(string scope, IEnumerable<string> permissions)
    {
        var registered = permissions
            .Where(permission => permission.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
            .Select(permission => permission[Permissions.Prefixes.Scope.Length..])
            .ToList();
        if (registered.Contains(scope, StringComparer.Ordinal))
        {
            return true;
        }

        if (SystemScope().Match(scope) is not { Success: true } asked)
        {
            return false;
        }

        return registered.Select(held => SystemScope().Match(held)).Any(held => held.Success &&
            (held.Groups["type"].Value == "*" || held.Groups["type"].Value == asked.Groups["type"].Value) &&
            asked.Groups["perms"].Value.All(held.Groups["perms"].Value.Contains));
    }

    /// <summary>A SMART v2 system scope: a resource type or <c>*</c>, then permissions in <c>cruds</c> order.</summary>
    [GeneratedRegex("^system/(?<type>\\*|[A-Z][A-Za-z]{1,63})\\.(?<perms>(?=[cruds])c?r?u?d?s?)$", RegexOptions.CultureInvariant)]
    private static partial Regex SystemScope();
}
