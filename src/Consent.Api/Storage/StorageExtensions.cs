using Consent.Api.DisclosureLog;
using Consent.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Storage;

public static class StorageExtensions
{
    /// <summary>
    /// SQLite as the API opens it: every connection gets the disclosure log's WAL checkpoint threshold as it opens
    /// (<see cref="SqliteConnectionSetup"/>). For every host that opens the API's SQLite file with a context of its own.
    /// </summary>
    public static DbContextOptionsBuilder UseConsentSqlite(this DbContextOptionsBuilder options, string connectionString, IServiceProvider services) =>
        options.UseSqlite(connectionString)
            .AddInterceptors(new SqliteConnectionSetup(services.GetRequiredService<IOptions<DisclosureLogOptions>>()));

    /// <summary>
    /// The store <c>Storage:Provider</c> names: SQLite (the default) under the data directory unless
    /// <c>ConnectionStrings:Consent</c> names a file, or PostgreSQL at <c>ConnectionStrings:Consent</c> (with
    /// <c>ConnectionStrings:ConsentOwner</c> for the role that owns the tables: <see cref="PostgresRoles"/>).
    /// Any host builder, so that <c>consent seed</c> opens the store exactly as the API does.
    /// </summary>
    public static TBuilder AddConsentStore<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var configured = builder.Configuration.GetConnectionString("Consent");
        if (storage.Provider != StorageProvider.Postgres && !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PostgresRoles.OwnerConnection)))
        {
            throw new InvalidOperationException($"ConnectionStrings:{PostgresRoles.OwnerConnection} is for PostgreSQL (Storage:Provider Postgres).");
        }

        // Pooled: the FHIR read path opens a context per request, and pooling saves setting one up each time.
        if (storage.Provider == StorageProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException("Storage:Provider is Postgres: set ConnectionStrings:Consent to the PostgreSQL database.");
            }

            builder.Services.AddDbContextPool<ConsentDb, PostgresConsentDb>(options => options.UseNpgsql(configured));
        }
        else
        {
            var connectionString = configured ?? $"Data Source={Path.Combine(builder.DataDirectory(), "consent.db")}";
            builder.Services.AddDbContextPool<ConsentDb>((services, options) => options.UseConsentSqlite(connectionString, services));
        }

        builder.Services.AddHealthChecks().AddDbContextCheck<ConsentDb>("consent-db");
        return builder;
    }

    /// <summary>
    /// Brings the schema up to date through the provider's migrations (Storage/Migrations for SQLite,
    /// Storage/PostgresMigrations for PostgreSQL), as the owner role when <c>ConnectionStrings:ConsentOwner</c> is set,
    /// which then grants the application's role its privileges (<see cref="PostgresRoles"/>). A database made by the
    /// migrations from before they were squashed into one (development data only) is refused with what to do, not
    /// half-migrated.
    /// </summary>
    public static async Task MigrateConsentStoreAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        if (db.Database.IsNpgsql() && app.Configuration.GetConnectionString(PostgresRoles.OwnerConnection) is { Length: > 0 } owner)
        {
            await PostgresRoles.MigrateAsOwnerAndGrantAsync(owner, app.Configuration.GetConnectionString("Consent")!, MigrateAsync);
            return;
        }

        await MigrateAsync(db);
    }

    private static async Task MigrateAsync(ConsentDb db)
    {
        var applied = (await db.Database.GetAppliedMigrationsAsync()).ToList();
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        if (applied.Count > 0 && !applied.Any(known.Contains))
        {
            throw new InvalidOperationException(
                "The consent database was made by migrations this version no longer has (they were squashed into one before "
                + "any deployment). It holds development data only: move it aside (e.g. delete the data folder) and start again.");
        }

        // Nothing to apply: no migration statement at all, so an instance whose role owns nothing starts too.
        if (applied.Count > 0 && !(await db.Database.GetPendingMigrationsAsync()).Any())
        {
            return;
        }

        await db.Database.MigrateAsync();
    }
}
