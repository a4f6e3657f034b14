using Consent.Identity.Security;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Consent.Identity.Connect;

/// <summary>
/// What the discovery document adds to OpenIddict's own: the signature algorithms accepted on client assertions at
/// each endpoint a client authenticates to (RFC 8414 §2), so a client library picks RS384 or ES384 instead of guessing
/// and being refused.
/// </summary>
public sealed class DiscoveryMetadata(IOptions<ClientAssertionOptions> assertions) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<DiscoveryMetadata>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        var algorithms = new OpenIddictParameter(System.Collections.Immutable.ImmutableArray.Create<string?>(assertions.Value.AllowedAlgorithms));
        context.Metadata["token_endpoint_auth_signing_alg_values_supported"] = algorithms;
        context.Metadata["introspection_endpoint_auth_signing_alg_values_supported"] = algorithms;
        context.Metadata["revocation_endpoint_auth_signing_alg_values_supported"] = algorithms;
        return ValueTask.CompletedTask;
    }
}
