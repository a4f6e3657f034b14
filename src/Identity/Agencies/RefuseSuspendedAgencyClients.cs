using Consent.Identity.Clients;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Agencies;

/// <summary>
/// A client registered for a suspended agency gets <c>invalid_client</c> at the token endpoint, for every grant.
/// It runs after client authentication, so only the client itself learns why.
/// </summary>
public sealed class RefuseSuspendedAgencyClients(IOpenIddictApplicationManager applications, AgencySuspensions suspensions)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseScopedHandler<RefuseSuspendedAgencyClients>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (string.IsNullOrEmpty(context.ClientId) ||
            await applications.FindByClientIdAsync(context.ClientId) is not { } application)
        {
            return;
        }

        var properties = await applications.GetPropertiesAsync(application);
        if (properties.TryGetValue(AgencyClientRegistrar.AgencyIdProperty, out var agency) &&
            await suspensions.IsSuspendedAsync(agency.GetString()))
        {
            context.Reject(error: Errors.InvalidClient, description: "The client's agency is suspended.");
        }
    }
}
