using Consent.Api.Storage;
using Consent.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureTree;

public static class DisclosureTreeExtensions
{
    private const string NoSharedKey =
        "Storage:Provider is Postgres, so every instance must sign tree heads with the same key, and none is created: "
        + "set DisclosureTree:SigningKeyPem to a PKCS#8 PEM ECDSA P-256 private key, or DisclosureTree:SigningKeyFile to "
        + "a file holding one, shared by every instance (see docs/deployment.md).";

    /// <summary>
    /// The disclosure log's Merkle tree: the integrator that stores it, the signing key and the signer of tree
    /// heads, and the queries behind the tree endpoints. Needs <c>AddDisclosureLog</c> (for the commit signal) and
    /// <c>ConsentDb</c>. On PostgreSQL (<c>Storage:Provider</c>) several instances share the tree: the one holding the
    /// leader lease runs the integrator and the signer, and every instance must be given the same signing key.
    /// </summary>
    public static TBuilder AddDisclosureTree<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var shared = storage.Provider == StorageProvider.Postgres;
        var dataDirectory = builder.DataDirectory();
        string KeyFile(DisclosureTreeOptions options) =>
            Path.IsPathRooted(options.SigningKeyFile) ? options.SigningKeyFile : Path.Combine(dataDirectory, options.SigningKeyFile);
        bool HasSharedKey(DisclosureTreeOptions options) => !string.IsNullOrWhiteSpace(options.SigningKeyPem) || File.Exists(KeyFile(options));

        builder.Services.AddOptions<DisclosureTreeOptions>().BindConfiguration(DisclosureTreeOptions.Section)
            .ValidateDataAnnotations()
            .Validate(options => !shared || HasSharedKey(options), NoSharedKey)
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<DisclosureTreeOptions>>().Value;
            if (!string.IsNullOrWhiteSpace(options.SigningKeyPem))
            {
                return TreeSigningKey.FromPem(options.SigningKeyPem);
            }

            // One instance (SQLite) makes its key on first start; instances sharing a database never make their own.
            return !shared ? TreeSigningKey.LoadOrCreate(KeyFile(options))
                : HasSharedKey(options) ? TreeSigningKey.FromPem(File.ReadAllText(KeyFile(options)))
                : throw new InvalidOperationException(NoSharedKey);
        });

        var connectionString = !shared ? null : builder.Configuration.GetConnectionString("Consent")
            ?? throw new InvalidOperationException("Storage:Provider is Postgres: set ConnectionStrings:Consent to the PostgreSQL database.");
        builder.Services.AddSingleton(services => new LeaderLease(
            "disclosure tree", PostgresConsentDb.DisclosureTreeLeaderLock, connectionString,
            services.GetRequiredService<IOptions<DisclosureTreeOptions>>().Value.LeaderPollInterval,
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<LeaderLease>>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<LeaderLease>());
        builder.Services.AddHealthChecks().AddCheck<LeaderLease>("disclosure-tree-leader");
        builder.Services.AddSingleton<DisclosureTreeIntegrator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DisclosureTreeIntegrator>());
        builder.Services.AddSingleton<TreeHeadSigner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TreeHeadSigner>());
        builder.Services.AddSingleton<SignedTreeSizes>();
        builder.Services.AddScoped<DisclosureTreeQueries>();
        return builder;
    }
}
