using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Consent.Api.Storage;

/// <summary>
/// The consent store on PostgreSQL: the model of <see cref="ConsentDb"/>, with its own migrations under
/// Storage/PostgresMigrations (EF Core picks migrations by the context type they name). Registered as
/// <see cref="ConsentDb"/>, so the features never know which provider they use.
/// </summary>
public sealed class PostgresConsentDb(DbContextOptions<PostgresConsentDb> options) : ConsentDb(options)
{
    /// <summary>The key of the transaction-scoped advisory lock every writer of the log takes per batch, so several instances append one chain.</summary>
    public const long DisclosureLogLock = 0x436F6E73_656E744C; // "ConsentL"
}

/// <summary>
/// For <c>dotnet ef migrations add … --context PostgresConsentDb</c>: making a migration needs the provider, not a
/// server, so no connection is opened.
/// </summary>
internal sealed class PostgresConsentDbDesignTimeFactory : IDesignTimeDbContextFactory<PostgresConsentDb>
{
    public PostgresConsentDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresConsentDb>().UseNpgsql("Host=localhost;Database=consent").Options);
}
