using System.Net;
using Consent.Api.DisclosureLog;
using Consent.Cli;
using Consent.Log.Verification;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Consent.Api.Tests;

/// <summary>
/// Verifying a disclosure log the API wrote on PostgreSQL, with <c>consent verify-log --connection</c> and
/// <c>POST /api/log/verify</c>: the untouched log holds; rows changed through plain SQL by the tables' owner with the
/// triggers disabled are reported at their sequence by both, with the exit codes and output of a SQLite file.
/// </summary>
public sealed class PostgresLogVerificationTests(PostgresApi postgres) : IClassFixture<PostgresApi>
{
    private const string Verify = "/api/log/verify";

    private ApiHost Api => postgres.Api;

    [Fact]
    public async Task ALogWrittenOnPostgres_Verifies_ThenRowsChangedByTheOwner_AreReportedAtTheirSequence()
    {
        var size = await RealDisclosures.MakeAsync(Api, 16);
        // Texts JSON escapes and non-ASCII in the text[] lists, a user id and break glass: read as the API wrote them.
        await Api.Services.GetRequiredService<IDisclosureLog>().AppendAsync(new DisclosureDraft(
            "northside-clinic", "northside-ehr", "user-\u00e9", "sv-1001", "Observation",
            ["Observation/a\"b", "Observation/c\\d", "Observation/\u00e9\ud55c", "Observation/tab\there"], "ETREAT", DisclosureDecision.Permit,
            [DisclosureBasis.Grant(Guid.NewGuid()), DisclosureBasis.Mou(Guid.NewGuid())], "policy-\u00e9", "request-1", BreakGlass: true),
            CancellationToken.None);
        var head = await RealDisclosures.SignHeadAsync(Api);
        var compliance = await Api.Parties.Compliance();

        var clean = await (await compliance.PostAsync(Verify, null)).Json();
        clean.GetProperty("holds").GetBoolean().ShouldBeTrue(clean.GetRawText());
        clean.GetProperty("entriesChecked").GetInt64().ShouldBeGreaterThanOrEqualTo(size);
        clean.GetProperty("headsChecked").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        clean.GetProperty("treeSize").GetInt64().ShouldBeGreaterThanOrEqualTo(head.GetProperty("treeSize").GetInt64());

        var (exit, output, error) = await RealLogTamperTests.RunAsync("verify-log", "--connection", postgres.ConnectionString);
        exit.ShouldBe(ExitCodes.Ok, output + error);
        output.ShouldContain("The log verifies");
        output.ShouldContain("PostgreSQL");
        NothingLeaked(output);

        // Small chunks read by two threads: the chunks are joined across their edges as on SQLite.
        var chunked = LogVerifier.VerifyPostgres(postgres.ConnectionString, new LogVerifierOptions { ChunkLevel = 2, MaxParallelism = 2 });
        chunked.Holds.ShouldBeTrue(string.Join("; ", chunked.Failures.Select(f => f.Message)));
        chunked.EntriesChecked.ShouldBe(chunked.LogSize);
        chunked.LogSize.ShouldBeGreaterThanOrEqualTo(size);

        // As the tables' owner, with plain SQL: the triggers disabled, a list of ids and a purpose changed.
        var listChanged = size - 9;
        var purposeChanged = size - 5;
        await ExecuteAsOwnerAsync($"""
            ALTER TABLE "DisclosureLog" DISABLE TRIGGER ALL;
            UPDATE "DisclosureLog" SET "ResourceIds" = array_append("ResourceIds", 'Observation/other') WHERE "Sequence" = {listChanged};
            UPDATE "DisclosureLog" SET "PurposeOfUse" = 'HRESCH' WHERE "Sequence" = {purposeChanged};
            ALTER TABLE "DisclosureLog" ENABLE TRIGGER ALL;
            """, expectedRows: 2);

        var tampered = await compliance.PostAsync(Verify, null);
        var text = await tampered.Content.ReadAsStringAsync();
        var report = await tampered.Json();
        report.GetProperty("holds").GetBoolean().ShouldBeFalse();
        var failures = report.GetProperty("failures");
        failures[0].GetProperty("kind").GetString().ShouldBe("hash-mismatch");
        failures[0].GetProperty("sequence").GetInt64().ShouldBe(listChanged);
        failures.EnumerateArray().ShouldContain(f => f.GetProperty("kind").GetString() == "hash-mismatch" && f.GetProperty("sequence").GetInt64() == purposeChanged);
        NothingLeaked(text);
        text.ShouldNotContain("HRESCH");

        (exit, output, error) = await RealLogTamperTests.RunAsync("verify-log", "--connection", postgres.ConnectionString);
        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("does NOT verify");
        output.ShouldContain($"First failure: hash mismatch at entry {listChanged}");
        output.ShouldContain($"then: hash mismatch at entry {purposeChanged}");
        NothingLeaked(output);
        output.ShouldNotContain("HRESCH");

        chunked = LogVerifier.VerifyPostgres(postgres.ConnectionString, new LogVerifierOptions { ChunkLevel = 2, MaxParallelism = 2 });
        chunked.FirstFailure.ShouldNotBeNull().Kind.ShouldBe(LogFailureKind.HashMismatch);
        chunked.FirstFailure.Sequence.ShouldBe(listChanged);
        chunked.Failures.Where(f => f.Kind == LogFailureKind.HashMismatch).Select(f => f.Sequence).ShouldBe([listChanged, purposeChanged]);

        // Then an entry deleted and the leaf hash of an earlier tree row replaced.
        var deleted = size - 2;
        await ExecuteAsOwnerAsync($"""
            ALTER TABLE "DisclosureLog" DISABLE TRIGGER ALL;
            ALTER TABLE "DisclosureTree" DISABLE TRIGGER ALL;
            DELETE FROM "DisclosureLog" WHERE "Sequence" = {deleted};
            UPDATE "DisclosureTree" SET "Hashes" = overlay("Hashes" placing '\x{new string('0', 64)}'::bytea from 1) WHERE "LeafIndex" = 2;
            ALTER TABLE "DisclosureLog" ENABLE TRIGGER ALL;
            ALTER TABLE "DisclosureTree" ENABLE TRIGGER ALL;
            """, expectedRows: 2);

        (exit, output, error) = await RealLogTamperTests.RunAsync("verify-log", "--connection", postgres.ConnectionString);
        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("First failure: tree node at entry 3");
        report = await (await compliance.PostAsync(Verify, null)).Json();
        report.GetProperty("failures")[0].GetProperty("kind").GetString().ShouldBe("tree-node");
        report.GetProperty("failures")[0].GetProperty("sequence").GetInt64().ShouldBe(3);
        var all = LogVerifier.VerifyPostgres(postgres.ConnectionString, new LogVerifierOptions { ChunkLevel = 2, MaxParallelism = 2 });
        all.Failures.ShouldContain(f => f.Kind == LogFailureKind.SequenceGap && f.Sequence == deleted);
        all.Failures.Where(f => f.Kind == LogFailureKind.HashMismatch).Select(f => f.Sequence).ShouldBe([listChanged, purposeChanged]);
    }

    private async Task ExecuteAsOwnerAsync(string sql, int expectedRows)
    {
        await using var owner = new NpgsqlConnection(postgres.ConnectionString);
        await owner.OpenAsync();
        await using var command = new NpgsqlCommand(sql, owner);
        (await command.ExecuteNonQueryAsync()).ShouldBe(expectedRows);
    }

    [Fact]
    public async Task AnUnreachableServer_OrADatabaseWithoutALog_IsUnusableInput_AndBothStoresAtOnceIsAUsageError()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Port = 1, Timeout = 2 };
        var unreachable = await RealLogTamperTests.RunAsync("verify-log", "--connection", builder.ConnectionString);
        unreachable.Item1.ShouldBe(ExitCodes.Failed);
        unreachable.Item3.ShouldContain("cannot be opened");

        var noLog = await RealLogTamperTests.RunAsync("verify-log", "--connection",
            new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "postgres" }.ConnectionString);
        noLog.Item1.ShouldBe(ExitCodes.Failed);
        noLog.Item3.ShouldContain("no disclosure log");

        var notAConnectionString = await RealLogTamperTests.RunAsync("verify-log", "--connection", "Hots=db;Nonsense");
        notAConnectionString.Item1.ShouldBe(ExitCodes.Failed);
        notAConnectionString.Item3.ShouldContain("--connection");

        var both = await RealLogTamperTests.RunAsync("verify-log", "--connection", postgres.ConnectionString, "--database", "consent.db");
        both.Item1.ShouldBe(ExitCodes.Usage);
        both.Item3.ShouldContain("not both");

        (await Api.Parties.Anonymous().PostAsync(Verify, null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await (await (await Api.Parties.Advocate()).PostAsync(Verify, null)).Problem(HttpStatusCode.Forbidden, "forbidden");
    }

    private static void NothingLeaked(string report)
    {
        report.ShouldNotContain("sv-");
        report.ShouldNotContain("northside");
        report.ShouldNotContain("metro-police");
        report.ShouldNotContain("Observation");
        report.ShouldNotContain("Password", Case.Insensitive);
    }
}
