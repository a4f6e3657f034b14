using System.Net;
using Consent.Api.Storage;
using Consent.Cli;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Consent.Api.Tests;

/// <summary>
/// The API on PostgreSQL with two roles: the owner (<c>ConnectionStrings:ConsentOwner</c>) applies the migrations and
/// grants, and the application's role (<c>ConnectionStrings:Consent</c>), which owns nothing and may only read and
/// insert on the append-only tables. A database of its own, owned by the owner role, dropped with both roles afterwards.
/// </summary>
public sealed class PostgresRolesApi : IAsyncLifetime
{
    private readonly string suffix = Guid.NewGuid().ToString("n")[..8];
    private PostgresServer? server;
    private string database = "";

    public ApiHost Api { get; private set; } = null!;

    public string OwnerRole => "consent_owner_" + suffix;

    public string AppRole => "consent_app_" + suffix;

    public string OwnerConnection { get; private set; } = "";

    public string AppConnection { get; private set; } = "";

    public async Task InitializeAsync()
    {
        server = await PostgresServer.Shared;
        OwnerConnection = await server.CreateRoleAsync(OwnerRole, await server.CreateDatabaseAsync());
        database = await server.CreateDatabaseAsync(OwnerRole);
        OwnerConnection = new NpgsqlConnectionStringBuilder(OwnerConnection) { Database = new NpgsqlConnectionStringBuilder(database).Database }.ConnectionString;
        AppConnection = await server.CreateRoleAsync(AppRole, database);
        Api = Instance(withOwner: true);
    }

    /// <summary>An API instance on the app's role, applying the migrations and grants as the owner or not.</summary>
    public ApiHost Instance(bool withOwner) => PostgresApi.For(AppConnection, new Dictionary<string, string?>
    {
        ["ConnectionStrings:" + PostgresRoles.OwnerConnection] = withOwner ? OwnerConnection : null,
    });

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        if (server is not null)
        {
            await server.DropDatabaseAsync(database);
            await server.DropRoleAsync(AppRole);
            await server.DropRoleAsync(OwnerRole);
        }
    }
}

public sealed class PostgresRolesTests(PostgresRolesApi roles) : IClassFixture<PostgresRolesApi>
{
    private static readonly string[] AppendOnlyTables = ["DisclosureLog", "DisclosureTree", "DisclosureTreeHeads", "DisclosureLogKeys", "AgencyChanges"];

    private ApiHost Api => roles.Api;

    public static TheoryData<string, string> Changes()
    {
        var changes = new TheoryData<string, string>();
        foreach (var table in AppendOnlyTables)
        {
            changes.Add(table, $"""UPDATE "{table}" SET "{Key(table)}" = "{Key(table)}" """);
            changes.Add(table, $"""DELETE FROM "{table}" """);
            changes.Add(table, $"""TRUNCATE "{table}" """);
            changes.Add(table, $"""ALTER TABLE "{table}" DISABLE TRIGGER ALL""");
            changes.Add(table, $"""ALTER TABLE "{table}" DISABLE TRIGGER "{table}_NoUpdate" """);
        }

        return changes;
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task TheAppsRole_IsRefusedPermission_OnTheAppendOnlyTables_ThroughTheApiAndInPlainSql(string table, string statement)
    {
        await Api.LogHeadAsync(); // the host is up: migrated and granted by the owner
        using (var scope = Api.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            var refused = await Should.ThrowAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(statement));
            refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, refused.MessageText);
            refused.MessageText.ShouldContain(table);
        }

        await using var plain = new NpgsqlConnection(roles.AppConnection);
        await plain.OpenAsync();
        await using var command = new NpgsqlCommand(statement, plain);
        var refusedToo = await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        refusedToo.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, refusedToo.MessageText);

        // The owner still owns it: the refusal was the role's, not a missing table.
        await using var owner = new NpgsqlConnection(roles.OwnerConnection);
        await owner.OpenAsync();
        await using var owned = new NpgsqlCommand($"SELECT tableowner::text FROM pg_tables WHERE tablename = '{table}'", owner);
        (await owned.ExecuteScalarAsync()).ShouldBe(roles.OwnerRole);
    }

    [Fact]
    public async Task TheAppsRole_HoldsOnlyWhatItNeeds_AndTheApiWorksEndToEnd()
    {
        var size = await RealDisclosures.MakeAsync(Api, 8);
        var log = await Api.LogAsync();
        log.Count.ShouldBe((int)size);
        log.ShouldContain(e => e.Decision == Consent.Api.DisclosureLog.DisclosureDecision.Permit && e.RecipientAgencyId == "northside-clinic");
        Consent.Api.DisclosureLog.DisclosureChain.FirstBreak(log).ShouldBeNull();

        // An ordinary table is changed (a revoke is an UPDATE); the tree and a signed head are inserted by the app's role.
        var survivor = await Api.Parties.Survivor();
        var grants = await (await survivor.GetAsync("/api/survivors/sv-1001/consents")).Json();
        var active = grants.EnumerateArray().First(g => g.GetProperty("status").GetString() == "active");
        await (await survivor.PostEmpty($"/api/survivors/sv-1001/consents/{active.GetProperty("id").GetString()}/revoke")).Json();
        await RealDisclosures.SignHeadAsync(Api);

        var verified = await (await (await Api.Parties.Compliance()).PostAsync("/api/log/verify", null)).Json();
        verified.GetProperty("holds").GetBoolean().ShouldBeTrue(verified.GetRawText());

        // A read-only use of the log: verify-log as the app's role, which owns nothing.
        var (exit, output, error) = await RealLogTamperTests.RunAsync("verify-log", "--connection", roles.AppConnection);
        exit.ShouldBe(ExitCodes.Ok, output + error);

        await using var owner = new NpgsqlConnection(roles.OwnerConnection);
        await owner.OpenAsync();
        await using var privileges = new NpgsqlCommand(
            """
            SELECT tablename::text, has_table_privilege(@role, quote_ident(tablename), 'SELECT'), has_table_privilege(@role, quote_ident(tablename), 'INSERT'),
                   has_table_privilege(@role, quote_ident(tablename), 'UPDATE'), has_table_privilege(@role, quote_ident(tablename), 'DELETE'),
                   has_table_privilege(@role, quote_ident(tablename), 'TRUNCATE'), tableowner::text
            FROM pg_tables WHERE schemaname = current_schema()
            """, owner) { Parameters = { new("role", roles.AppRole) } };
        await using var reader = await privileges.ExecuteReaderAsync();
        var seen = new List<string>();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            seen.Add(table);
            reader.GetString(6).ShouldBe(roles.OwnerRole, table);
            reader.GetBoolean(1).ShouldBeTrue(table);
            reader.GetBoolean(5).ShouldBeFalse(table);
            var expected = table == "__EFMigrationsHistory" ? (false, false, false)
                : AppendOnlyTables.Contains(table) ? (true, false, false)
                : (true, true, true);
            (reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4)).ShouldBe(expected, table);
        }

        seen.ShouldContain("Consents");
        AppendOnlyTables.ShouldAllBe(t => seen.Contains(t));
    }

    [Fact]
    public async Task AGrantTakenByHand_IsTakenBackAtTheNextStart()
    {
        await Api.LogHeadAsync();
        await using (var owner = new NpgsqlConnection(roles.OwnerConnection))
        {
            await owner.OpenAsync();
            await using var widen = new NpgsqlCommand($"""GRANT UPDATE, DELETE ON "DisclosureLog" TO "{roles.AppRole}" """, owner);
            await widen.ExecuteNonQueryAsync();
        }

        await using (var restarted = roles.Instance(withOwner: true))
        {
            (await restarted.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await using var plain = new NpgsqlConnection(roles.AppConnection);
        await plain.OpenAsync();
        await using var update = new NpgsqlCommand("""UPDATE "DisclosureLog" SET "Sequence" = "Sequence" """, plain);
        (await Should.ThrowAsync<PostgresException>(() => update.ExecuteNonQueryAsync())).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }

    [Fact]
    public async Task ASecondInstanceWithoutTheOwner_StartsOnTheAppsRole_AndAppendsToTheSameLog()
    {
        var head = await Api.LogHeadAsync();
        await using var second = roles.Instance(withOwner: false);
        (await second.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var clinic = await second.Parties.AgencySystem("northside-clinic");
        (await clinic.ReadAsync($"/fhir/Observation/{Guid.NewGuid():n}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await Api.LogHeadAsync()).ShouldBe(head + 1);
    }

    private static string Key(string table) => table switch
    {
        "DisclosureLog" => "Sequence",
        "DisclosureTree" => "LeafIndex",
        "DisclosureLogKeys" => "KeyId",
        _ => "Id",
    };
}
