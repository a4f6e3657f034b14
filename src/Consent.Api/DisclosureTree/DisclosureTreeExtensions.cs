using Consent.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureTree;

public static class DisclosureTreeExtensions
{
    /// <summary>
    /// The disclosure log's Merkle tree: the integrator that stores it, the signing key and the signer of tree
    /// heads, and the queries behind the tree endpoints. Needs <c>AddDisclosureLog</c> (for the commit signal) and
    /// <c>ConsentDb</c>.
    /// </summary>
    public static TBuilder AddDisclosureTree<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DisclosureTreeOptions>().BindConfiguration(DisclosureTreeOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        var dataDirectory = builder.DataDirectory();
        builder.Services.AddSingleton(services =>
        {
            var file = services.GetRequiredService<IOptions<DisclosureTreeOptions>>().Value.SigningKeyFile;
            return TreeSigningKey.LoadOrCreate(Path.IsPathRooted(file) ? file : Path.Combine(dataDirectory, file));
        });
        builder.Services.AddSingleton<DisclosureTreeIntegrator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DisclosureTreeIntegrator>());
        builder.Services.AddSingleton<TreeHeadSigner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TreeHeadSigner>());
        builder.Services.AddSingleton<SignedTreeSizes>();
        builder.Services.AddScoped<DisclosureTreeQueries>();
        return builder;
    }
}
