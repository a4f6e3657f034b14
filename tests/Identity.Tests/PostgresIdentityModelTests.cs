using Consent.Identity.Data;
using Consent.ServiceDefaults.KeyRing;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Consent.Identity.Tests;

/// <summary>
/// The SQLite and PostgreSQL identity stores keep one schema (the same tables, columns, keys, foreign keys and indexes),
/// and each provider's migrations, and the key ring's, describe their model. No server is needed.
/// </summary>
public sealed class PostgresIdentityModelTests
{
    private static IdentityDb Sqlite() =>
        new(new DbContextOptionsBuilder<IdentityDb>().UseSqlite("Data Source=:memory:").UseOpenIddict().Options);

    private static PostgresIdentityDb Postgres() =>
        new(new DbContextOptionsBuilder<PostgresIdentityDb>().UseNpgsql("Host=localhost;Database=identity").UseOpenIddict().Options);

    [Fact]
    public void BothProviders_HaveTheSameTablesColumnsKeysAndIndexes()
    {
        using var sqlite = Sqlite();
        using var postgres = Postgres();
        var expected = ModelSchema.Lines(sqlite, maxNameLength: 63);
        expected.ShouldContain("SpentAssertions PK PK_SpentAssertions (ClientId, TokenId)");
        expected.ShouldContain(line => line.StartsWith("OpenIddictTokens.", StringComparison.Ordinal));
        expected.ShouldContain("AspNetUsers IX IX_AspNetUsers_SurvivorId (SurvivorId) unique filtered");
        ModelSchema.Lines(postgres).ShouldBe(expected);
    }

    [Fact]
    public void EachProvidersMigrations_DescribeItsModel()
    {
        using var sqlite = Sqlite();
        using var postgres = Postgres();
        using var keyRing = new KeyRingDb(new DbContextOptionsBuilder<KeyRingDb>().UseNpgsql("Host=localhost;Database=identity").Options);
        sqlite.Database.HasPendingModelChanges().ShouldBeFalse();
        postgres.Database.HasPendingModelChanges().ShouldBeFalse();
        keyRing.Database.HasPendingModelChanges().ShouldBeFalse();
        sqlite.Database.GetMigrations().Count().ShouldBe(3);
        postgres.Database.GetMigrations().ShouldHaveSingleItem().ShouldEndWith("_Initial");
        keyRing.Database.GetMigrations().ShouldHaveSingleItem().ShouldEndWith("_KeyRing");
    }
}
