using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Consent.Api.Tests;

/// <summary>The consent store on PostgreSQL: its migrations apply, and the append-only tables refuse changes from the app's own connection.</summary>
public sealed class PostgresStoreTests(PostgresApi postgres) : IClassFixture<PostgresApi>
{
    private ApiHost Api => postgres.Api;

    [Fact]
    public async Task AFreshDatabase_GetsThePostgresInitialMigration_WithItsTriggers()
    {
        (await Api.CreateClient().GetAsync("/health/ready")).IsSuccessStatusCode.ShouldBeTrue();
        using var scope = Api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        db.ShouldBeOfType<PostgresConsentDb>();
        db.Database.IsNpgsql().ShouldBeTrue();
        (await db.Database.GetAppliedMigrationsAsync()).ShouldHaveSingleItem().ShouldEndWith("_Initial");
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
        var triggers = await db.Database.SqlQueryRaw<long>(
            """SELECT count(*) AS "Value" FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%\_No%'""").SingleAsync();
        triggers.ShouldBe(15);
    }

    [Fact]
    public async Task CompiledQueries_RunOnBothStores_InOneProcess()
    {
        // EF Core binds a compiled query to the first model it meets; the process here holds both stores' models.
        await using var sqlite = new ApiHost();
        await sqlite.LogHeadAsync();
        foreach (var host in new[] { sqlite, Api, sqlite })
        {
            using var scope = host.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            (await Sharing.ReadContexts.CurrentFactsVersionAsync(db, CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(0);
            (await Sharing.ReadCandidates.RecordById(db, "Observation", "none")).ShouldBeNull();
            (await Sharing.ReadCandidates.CandidateByIdAsync(db, "Observation", "none", CancellationToken.None)).ShouldBeNull();
        }
    }

    public static TheoryData<string, string> Changes()
    {
        var changes = new TheoryData<string, string>();
        foreach (var (table, key) in new[]
        {
            ("DisclosureLog", "Sequence"), ("DisclosureTree", "LeafIndex"), ("DisclosureTreeHeads", "Id"),
            ("DisclosureLogKeys", "KeyId"), ("AgencyChanges", "Id"),
        })
        {
            changes.Add(table, $"""UPDATE "{table}" SET "{key}" = "{key}" """);
            changes.Add(table, $"""DELETE FROM "{table}" """);
            changes.Add(table, $"""TRUNCATE "{table}" """);
        }

        return changes;
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task AnAppendOnlyTable_RefusesTheStatement_OnTheAppsConnection(string table, string statement)
    {
        await Api.LogHeadAsync(); // the host is up, its migrations applied
        using var scope = Api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var refused = await Should.ThrowAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(statement));
        refused.MessageText.ShouldContain("append-only");
        refused.MessageText.ShouldContain("refused");
        refused.MessageText.ShouldContain(statement.Split(' ')[0] + " refused");
        refused.Where.ShouldNotBeNull().ShouldContain("RefuseAppendOnlyChange");
        table.ShouldNotBeEmpty();
    }
}
