using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Consent.ServiceDefaults.KeyRing;

public static class KeyRingExtensions
{
    /// <summary>
    /// The app's Data Protection (cookies, antiforgery, what the app protects itself). On SQLite its keys are files under
    /// the data directory's <c>keys/{keyFolder}</c>, apart from the database. On PostgreSQL every instance reads one key
    /// ring in the app's database (<c>ConnectionStrings:{connectionName}</c>), each key's secret sealed with
    /// <c>KeyRing:KeyEncryptionKey</c>, so a copy of the database alone opens nothing; the app's <see cref="SharedKeys"/>
    /// live there too. Start fails when PostgreSQL is chosen without the connection string or the key-encryption key.
    /// </summary>
    public static WebApplicationBuilder AddKeyRing(this WebApplicationBuilder builder, string applicationName, string connectionName, string keyFolder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(applicationName);
        if (builder.StorageProvider() != StorageProvider.Postgres)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(builder.DataDirectory(), "keys", keyFolder)));
            return builder;
        }

        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"Storage:Provider is Postgres: set ConnectionStrings:{connectionName} to the PostgreSQL database.");
        }

        var keys = new KeyEncryptionKeys(builder.Configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions());
        builder.Services.AddSingleton(keys);
        builder.Services.AddDbContextFactory<KeyRingDb>(options =>
            options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(KeyRingDb.MigrationsHistoryTable)));
        builder.Services.AddSingleton<SharedKeys>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        dataProtection.PersistKeysToDbContext<KeyRingDb>();
        builder.Services.Configure<KeyManagementOptions>(options => options.XmlEncryptor = new KeyRingXmlEncryptor(keys));
        return builder;
    }

    /// <summary>
    /// On PostgreSQL: brings the key ring's tables up to date, then seals again with the current key-encryption key
    /// whatever a previous one sealed (after a rotation), under the shared keys' lock. Nothing to do on SQLite.
    /// Runs before anything is protected or signed.
    /// </summary>
    public static async Task MigrateKeyRingAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        if (services.GetService<IDbContextFactory<KeyRingDb>>() is not { } contexts)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        var keys = services.GetRequiredService<KeyEncryptionKeys>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({SharedKeys.Lock})", cancellationToken);
        foreach (var key in await db.SharedKeys.ToListAsync(cancellationToken))
        {
            if (!keys.IsCurrent(key.SealedPrivateKey))
            {
                var context = SharedKeys.Context(key.Purpose);
                key.Reseal(keys.Seal(keys.Open(key.SealedPrivateKey, context), context));
            }
        }

        foreach (var key in await db.DataProtectionKeys.ToListAsync(cancellationToken))
        {
            var xml = XElement.Parse(key.Xml ?? "<key />");
            var stale = xml.Descendants(KeyRingXmlEncryptor.ElementName).Where(e => !keys.IsCurrent(e.Value)).ToList();
            foreach (var element in stale)
            {
                element.Value = keys.Seal(keys.Open(element.Value, KeyRingXmlEncryptor.Context), KeyRingXmlEncryptor.Context);
            }

            if (stale.Count > 0)
            {
                key.Xml = xml.ToString(SaveOptions.DisableFormatting);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
