using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;

namespace Consent.Api.Tests;

/// <summary>
/// The migrations were squashed into one before anything was deployed. A development database made by the old
/// history must not be half-migrated on top: the API refuses to start and says what to do.
/// </summary>
public sealed class SquashedMigrationTests
{
    [Fact]
    public async Task ADatabaseFromTheOldMigrationHistory_StopsTheApiWithWhatToDo()
    {
        await using var api = new ApiHost();
        Directory.CreateDirectory(api.DataDirectory);
        var file = Path.Combine(api.DataDirectory, "consent.db");
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE "__EFMigrationsHistory" ("MigrationId" TEXT NOT NULL PRIMARY KEY, "ProductVersion" TEXT NOT NULL);
                INSERT INTO "__EFMigrationsHistory" VALUES ('20261123090733_ConsentModel', '10.0.0'), ('20261204174300_AgencyChanges', '10.0.0');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var failure = Should.Throw<InvalidOperationException>(() => api.CreateClient());
        failure.Message.ShouldContain("squashed");
        failure.Message.ShouldContain("data folder");
    }

    [Fact]
    public async Task AFreshDatabase_GetsTheOneInitialMigration()
    {
        await using var api = new ApiHost();
        (await api.CreateClient().GetAsync("/health/live")).IsSuccessStatusCode.ShouldBeTrue();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(api.DataDirectory, "consent.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "MigrationId" FROM "__EFMigrationsHistory" """;
        var applied = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                applied.Add(reader.GetString(0));
            }
        }

        applied.ShouldHaveSingleItem().ShouldEndWith("_Initial");
        command.CommandText = """SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_No%'""";
        ((long)(await command.ExecuteScalarAsync())!).ShouldBe(15);
    }
}
