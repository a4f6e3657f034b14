using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Data.Common;
using Consent.Api.Demo;
using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Consent.Api.Storage;
using Consent.ServiceDefaults;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Consent.Cli.Seed;

/// <summary>
/// The database being seeded, opened through the API's own registrations (its store, its disclosure log, its tree's
/// integrator and signer), configured as the API would be for that database and signing key. Nothing is started: the
/// seed runs the integrator and the signer itself.
/// </summary>
internal sealed class SeedTarget : IAsyncDisposable
{
    /// <summary>Where the API keeps its signing key, relative to its data folder (the default of DisclosureTree:SigningKeyFile).</summary>
    private static readonly string DefaultKeyFile = new DisclosureTreeOptions().SigningKeyFile;

    private readonly IHost app;

    private SeedTarget(string name, bool postgres, string keyFile, IHost app)
    {
        Name = name;
        IsPostgres = postgres;
        KeyFile = keyFile;
        this.app = app;
    }

    /// <summary>For output: the file, or PostgreSQL's host, port and database (never the rest of a connection string, a password).</summary>
    public string Name { get; }

    public bool IsPostgres { get; }

    public string KeyFile { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>
    /// A PostgreSQL connection string (it has a <c>Host=</c>), or else the path of a SQLite file. The signing key: the
    /// file given, else (SQLite) the API's own key in the data folder that holds the file. Refuses what the API
    /// could not use: a missing file or key, a database it did not migrate (start the API once: it migrates).
    /// </summary>
    public static async Task<SeedTarget> OpenAsync(string connection, string? keyFile, CancellationToken cancellationToken)
    {
        var postgres = connection.Contains('=', StringComparison.Ordinal);
        string name, dataDirectory, connectionString;
        if (postgres)
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(connection);
            }
            catch (ArgumentException e)
            {
                throw new CommandFailed($"--connection is neither a SQLite file nor a PostgreSQL connection string: {e.Message}");
            }

            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw new CommandFailed("--connection is a connection string without Host=: give a PostgreSQL connection string, or the path of a SQLite file.");
            }

            name = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
            keyFile = keyFile is null
                ? throw new CommandFailed(
                    "A PostgreSQL log is signed with the deployment's key, which the seed does not make: give it with --signing-key-file "
                    + "(the PEM file of DisclosureTree:SigningKeyFile, or DisclosureTree:SigningKeyPem written to a file).", exitCode: ExitCodes.Usage)
                : Path.GetFullPath(keyFile);
            dataDirectory = Path.GetDirectoryName(keyFile)!;
            connectionString = connection;
        }
        else
        {
            var file = Path.GetFullPath(connection);
            if (!File.Exists(file))
            {
                throw new CommandFailed($"There is no database at {file}: start the API once (it creates and migrates its database), or give the right path.");
            }

            name = file;
            dataDirectory = Path.GetDirectoryName(file)!;
            keyFile = Path.GetFullPath(keyFile ?? Path.Combine(dataDirectory, DefaultKeyFile));
            connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();
        }

        if (!File.Exists(keyFile))
        {
            throw new CommandFailed($"The tree-head signing key {keyFile} does not exist. Sign with the key the API uses: "
                + "start the API once on this database (on SQLite it makes its key in its data folder), or give --signing-key-file.");
        }

        var target = new SeedTarget(name, postgres, keyFile, Build(postgres, dataDirectory, connectionString, keyFile));
        try
        {
            await target.CheckAsync(cancellationToken);
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    private static IHost Build(bool postgres, string dataDirectory, string connectionString, string keyFile)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"] = (postgres ? StorageProvider.Postgres : StorageProvider.Sqlite).ToString(),
            [$"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}"] = dataDirectory,
            ["ConnectionStrings:Consent"] = connectionString,
            [$"{DisclosureTreeOptions.Section}:{nameof(DisclosureTreeOptions.SigningKeyFile)}"] = keyFile,
            // Fewer, larger transactions than the API's background passes: nothing else waits for the tree meanwhile.
            [$"{DisclosureTreeOptions.Section}:{nameof(DisclosureTreeOptions.IntegrationBatchSize)}"] = "65536",
        });
        // Registered (for the services' loggers) without a provider: the seed prints its own progress.
        builder.Services.AddLogging();
        builder.AddConsentStore();
        builder.AddDisclosureLog();
        builder.AddDisclosureTree();
        return builder.Build();
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        IReadOnlyList<string> pending;
        try
        {
            pending = [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
        }
        catch (DbException e)
        {
            throw new CommandFailed($"{Name}: cannot read the database: {e.Message}");
        }

        if (pending.Count > 0)
        {
            throw new CommandFailed($"{Name}: the database's schema is not the API's ({pending.Count} migration(s) not applied). "
                + "Start the API of this version once on it (it migrates), then seed.");
        }
    }

    /// <summary>What the database holds now.</summary>
    public async Task<SeedCounts> CountAsync(CancellationToken cancellationToken)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var entries = await db.Disclosures.MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        var consents = await db.Consents.LongCountAsync(cancellationToken);
        var syntheticGrants = await db.Consents.LongCountAsync(c => c.SurvivorId.StartsWith(SyntheticIds.SurvivorPrefix), cancellationToken);
        var syntheticSurvivors = await db.Survivors.LongCountAsync(s => s.Id.StartsWith(SyntheticIds.SurvivorPrefix), cancellationToken);
        var realSurvivors = await db.Survivors.LongCountAsync(s => !s.Id.StartsWith(SyntheticIds.SurvivorPrefix)
            && s.Id != DemoData.AdultSurvivorId && s.Id != DemoData.MinorSurvivorId, cancellationToken);
        var tree = await DisclosureTreeIntegrator.StoredSizeAsync(db, cancellationToken);
        return new SeedCounts(entries, tree, consents, syntheticGrants, syntheticSurvivors, realSurvivors);
    }

    public async ValueTask DisposeAsync()
    {
        if (app is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            app.Dispose();
        }
        SqliteConnection.ClearAllPools();
    }
}

/// <param name="Entries">The log's last sequence number (its size: sequences have no gaps).</param>
/// <param name="TreeLeaves">Leaves of the stored Merkle tree.</param>
/// <param name="OtherSurvivors">Survivors neither synthetic nor the demo's: someone's real records may be here.</param>
internal sealed record SeedCounts(long Entries, long TreeLeaves, long Consents, long SyntheticGrants, long SyntheticSurvivors, long OtherSurvivors);
