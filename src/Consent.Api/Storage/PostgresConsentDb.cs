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

    /// <summary>The key of the session-level advisory lock held by the instance that leads the disclosure tree's integrator and signer.</summary>
    public const long DisclosureTreeLeaderLock = 0x436F6E73_656E7452; // "ConsentR"

    /// <summary>
    /// The key of the advisory lock taken around each change to the disclosure tree (an integrator's pass, a signed
    /// head, a registered key), so that an instance signing on demand, or a leader that has not yet noticed it lost
    /// its lease, never writes beside another one.
    /// </summary>
    public const long DisclosureTreeLock = 0x436F6E73_656E7454; // "ConsentT"
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
