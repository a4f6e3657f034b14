using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Consent.Identity.Data;

/// <summary>
/// The identity store on PostgreSQL: the model of <see cref="IdentityDb"/>, with its own migrations under
/// Data/PostgresMigrations (EF Core picks migrations by the context type they name). Registered as
/// <see cref="IdentityDb"/>, so ASP.NET Core Identity, OpenIddict and the features never know which provider they use.
/// </summary>
public sealed class PostgresIdentityDb(DbContextOptions<PostgresIdentityDb> options) : IdentityDb(options);

/// <summary>For <c>dotnet ef migrations add … --context PostgresIdentityDb</c>: no server is needed to make a migration.</summary>
internal sealed class PostgresIdentityDbDesignTimeFactory : IDesignTimeDbContextFactory<PostgresIdentityDb>
{
    public PostgresIdentityDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresIdentityDb>().UseNpgsql("Host=localhost;Database=identity").UseOpenIddict().Options);
}
