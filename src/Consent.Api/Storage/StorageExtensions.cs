using Consent.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Storage;

public static class StorageExtensions
{
    /// <summary>SQLite under the data directory unless a connection string is configured.</summary>
    public static WebApplicationBuilder AddConsentStore(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Consent")
            ?? $"Data Source={Path.Combine(builder.DataDirectory(), "consent.db")}";
        // Pooled: the FHIR read path opens a context per request, and pooling saves setting one up each time.
        builder.Services.AddDbContextPool<ConsentDb>(options => options.UseSqlite(connectionString));
        builder.Services.AddHealthChecks().AddDbContextCheck<ConsentDb>("consent-db");
        return builder;
    }

    /// <summary>Brings the schema up to date through the migrations under Storage/Migrations.</summary>
    public static async Task MigrateConsentStoreAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        await db.Database.MigrateAsync();
    }
}
