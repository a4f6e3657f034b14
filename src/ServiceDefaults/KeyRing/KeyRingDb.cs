using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Consent.ServiceDefaults.KeyRing;

/// <summary>
/// The keys an app's instances share on PostgreSQL: its Data Protection key ring (each key's secret sealed) and its
/// shared private keys. It lives in the app's own database beside the app's tables, with its own migrations history.
/// </summary>
public sealed class KeyRingDb(DbContextOptions<KeyRingDb> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string MigrationsHistoryTable = "__KeyRingMigrationsHistory";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<SharedKey> SharedKeys => Set<SharedKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SharedKey>(key =>
        {
            key.Property(k => k.Purpose).HasMaxLength(64);
            key.HasIndex(k => new { k.Purpose, k.CreatedAtUnix }).IsUnique();
            key.Ignore(k => k.CreatedAt);
        });
    }
}

/// <summary>For <c>dotnet ef migrations add … --context KeyRingDb</c>: no server is needed to make a migration.</summary>
internal sealed class KeyRingDbDesignTimeFactory : IDesignTimeDbContextFactory<KeyRingDb>
{
    public KeyRingDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<KeyRingDb>().UseNpgsql("Host=localhost;Database=keys").Options);
}
