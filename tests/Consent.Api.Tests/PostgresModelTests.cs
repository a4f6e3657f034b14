using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

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
        var expected = Schema(sqlite);
        expected.ShouldContain(line => line.StartsWith("DisclosureLog.", StringComparison.Ordinal));
        Schema(postgres).ShouldBe(expected);
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

    /// <summary>One line per table, column (name, nullability), key, foreign key and index, sorted; types differ by provider and are left out.</summary>
    private static List<string> Schema(DbContext db)
    {
        var model = db.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var lines = new List<string>();
        foreach (var table in model.Tables)
        {
            lines.Add($"{table.Name}");
            lines.AddRange(table.Columns.Select(c => $"{table.Name}.{c.Name} {(c.IsNullable ? "null" : "not null")}"));
            if (table.PrimaryKey is { } key)
            {
                lines.Add($"{table.Name} PK {key.Name} ({string.Join(", ", key.Columns.Select(c => c.Name))})");
            }

            lines.AddRange(table.UniqueConstraints.Select(u => $"{table.Name} UQ {u.Name} ({string.Join(", ", u.Columns.Select(c => c.Name))})"));
            lines.AddRange(table.ForeignKeyConstraints.Select(f =>
                $"{table.Name} FK {f.Name} ({string.Join(", ", f.Columns.Select(c => c.Name))}) -> {f.PrincipalTable.Name} {f.OnDeleteAction}"));
            lines.AddRange(table.Indexes.Select(i =>
                $"{table.Name} IX {i.Name} ({string.Join(", ", i.Columns.Select(c => c.Name))}){(i.IsUnique ? " unique" : "")}{(i.Filter is null ? "" : " filtered")}"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
