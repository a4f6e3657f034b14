using Consent.Identity.Clients;
using Consent.Identity.Data;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Seeding;

/// <summary>
/// What every installation needs, demo or not: the database schema, the roles, the scopes, the portal client
/// (public, code flow with PKCE, exact redirect URIs), the resource servers allowed to introspect tokens, and
/// encryption of any authenticator secret still stored in the clear. Runs at start and is idempotent.
/// </summary>
public sealed class PlatformBootstrap(
    IdentityDb db,
    AuthenticatorKeyProtector authenticatorKeys,
    RoleManager<IdentityRole> roles,
    IOpenIddictApplicationManager applications,
    IOpenIddictScopeManager scopes,
    IOptions<ProviderOptions> provider)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await db.Database.MigrateAsync(cancellationToken);
        await ProtectPlaintextAuthenticatorKeysAsync(cancellationToken);

        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        await EnsureScopeAsync(PlatformScopes.ConsentApi, [PlatformScopes.ConsentApi], cancellationToken);
        foreach (var scope in PlatformScopes.Smart)
        {
            await EnsureScopeAsync(scope, [PlatformScopes.ConsentApi], cancellationToken);
        }

        await EnsureScopeAsync(PlatformScopes.ManageClients, [PlatformScopes.IdentityAdmin], cancellationToken);
        await EnsurePortalClientAsync(cancellationToken);
        await EnsureResourceServersAsync(cancellationToken);
    }

    /// <summary>Secrets stored before they were encrypted are encrypted once; users keep their authenticator.</summary>
    private async Task ProtectPlaintextAuthenticatorKeysAsync(CancellationToken cancellationToken)
    {
        var stored = await db.UserTokens
            .Where(t => t.LoginProvider == AuthenticatorKeyProtector.LoginProvider && t.Name == AuthenticatorKeyProtector.TokenName)
            .ToListAsync(cancellationToken);
        foreach (var token in stored.Where(t => !string.IsNullOrEmpty(t.Value) && !AuthenticatorKeyProtector.IsProtected(t.Value)))
        {
            token.Value = authenticatorKeys.Protect(token.Value!);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task EnsureScopeAsync(string name, string[] resources, CancellationToken cancellationToken)
    {
        if (await scopes.FindByNameAsync(name, cancellationToken) is not null)
        {
            return;
        }

        var descriptor = new OpenIddictScopeDescriptor { Name = name };
        descriptor.Resources.UnionWith(resources);
        await scopes.CreateAsync(descriptor, cancellationToken);
    }

    private async Task EnsurePortalClientAsync(CancellationToken cancellationToken)
    {
        var portal = provider.Value.Portal;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = portal.ClientId,
            ClientType = ClientTypes.Public,
            ApplicationType = ApplicationTypes.Web,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "Safe sharing portal",
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.EndSession,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile,
                Permissions.Scopes.Roles,
                Permissions.Prefixes.Scope + PlatformScopes.ConsentApi,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in portal.RedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        foreach (var uri in portal.PostLogoutRedirectUris)
        {
            descriptor.PostLogoutRedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        await UpsertAsync(descriptor, cancellationToken);
    }

    /// <summary>The consent API and any other resource server: allowed to introspect tokens, nothing else.</summary>
    private async Task EnsureResourceServersAsync(CancellationToken cancellationToken)
    {
        foreach (var server in provider.Value.ResourceServers.Prepend(provider.Value.Api))
        {
            await UpsertAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = server.ClientId,
                ClientSecret = server.ClientSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = server.DisplayName ?? $"{server.ClientId} (token introspection)",
                Permissions = { Permissions.Endpoints.Introspection },
            }, cancellationToken);
        }
    }

    /// <summary>First-party clients follow configuration: a changed redirect URI applies at the next start.</summary>
    private async Task UpsertAsync(OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        var existing = await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
    }
}
