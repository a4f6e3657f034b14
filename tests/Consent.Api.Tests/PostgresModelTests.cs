using Consent.Api.Storage;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Tests;

/// <summary>
/// The SQLite and PostgreSQL stores keep one schema: the same tables, columns, keys, foreign keys and indexes, and each
/// provider's migrations describe its model (a change made for one provider only fails here). No server is needed.
/// </summary>
public sealed class PostgresModelTests
{
    private static ConsentDb Sqlite() => new(new DbContextOptionsBuilder<ConsentDb>().UseSqlite("Data Source=:memory:").Options);

    private static PostgresConsentDb Postgres() =>
        new(new DbContextOptionsBuilder<PostgresConsentDb>().UseNpgsql("Host=localhost;Database=consent").Options);

    [Fact]
    public void BothProviders_HaveTheSameTablesColumnsKeysAndIndexes()
    {
        using var sqlite = Sqlite();
        using var postgres = Postgres();
        var expected = ModelSchema.Lines(sqlite);
        expected.ShouldContain(line => line.StartsWith("DisclosureLog.", StringComparison.Ordinal));
        ModelSchema.Lines(postgres).ShouldBe(expected);
    }

    [Fact]
    public void EachProvidersMigrations_DescribeItsModel()
    {
        using var sqlite = Sqlite();
        using var postgres = Postgres();
        sqlite.Database.HasPendingModelChanges().ShouldBeFalse();
        postgres.Database.HasPendingModelChanges().ShouldBeFalse();
        sqlite.Database.GetMigrations().ShouldHaveSingleItem().ShouldEndWith("_Initial");
        postgres.Database.GetMigrations().ShouldHaveSingleItem().ShouldEndWith("_Initial");
    }
}
