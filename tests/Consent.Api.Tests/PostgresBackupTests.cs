using System.Net;
using Consent.Cli;
using Consent.Log.TreeHeads;
using Consent.Log.Verification;
using Consent.TestSupport;

namespace Consent.Api.Tests;

/// <summary>A test that needs PostgreSQL's pg_dump and pg_restore; skipped, saying so, where they are not installed.</summary>
public sealed class PgDumpFactAttribute : FactAttribute
{
    public PgDumpFactAttribute()
    {
        if (PostgresServer.FindClientTool("pg_dump") is null || PostgresServer.FindClientTool("pg_restore") is null)
        {
            Skip = "pg_dump and pg_restore are not installed (Debian's postgresql-client package has them).";
        }
    }
}

/// <summary>
/// Backup and restore as docs/deployment.md describes them: a <c>pg_dump -Fc</c> of the API's database restored with
/// <c>pg_restore</c> into a new database verifies, against the public keys and the latest tree head a client fetched
/// from the API before the dump; a dump taken before that head (a restore that lost the last entries) is reported as
/// inconsistent with it, although it verifies on its own.
/// </summary>
public sealed class PostgresBackupTests(PostgresApi postgres) : IClassFixture<PostgresApi>
{
    private ApiHost Api => postgres.Api;

    [PgDumpFact]
    public async Task ARestoredDump_VerifiesAgainstThePublishedHead_AndADumpFromBeforeIt_IsInconsistentWithIt()
    {
        var server = await PostgresServer.Shared;
        var folder = Directory.CreateTempSubdirectory("consent-backup-").FullName;
        var restored = new List<string>();
        try
        {
            await RealDisclosures.MakeAsync(Api, 8);
            await RealDisclosures.SignHeadAsync(Api);
            var earlySize = await Api.LogHeadAsync();
            var early = Path.Combine(folder, "before-the-head.dump");
            await PostgresServer.RunClientToolAsync("pg_dump", postgres.ConnectionString, "--format=custom", "--file=" + early);

            await RealDisclosures.MakeAsync(Api, 8);
            await RealDisclosures.SignHeadAsync(Api);
            // What an auditor or agency keeps: the latest signed head (any token) and the log's public keys (no token).
            var clinic = await Api.Parties.AgencySystem("northside-clinic");
            var headResponse = await clinic.GetAsync("/api/log/tree-head");
            headResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
            var headJson = await headResponse.Content.ReadAsStringAsync();
            var keysJson = await Api.Parties.Anonymous().GetStringAsync("/.well-known/disclosure-log-keys");
            var head = TreeHeadJson.Parse(headJson);
            head.TreeSize.ShouldBeGreaterThan(earlySize);
            var headFile = Path.Combine(folder, "published-head.json");
            var keysFile = Path.Combine(folder, "disclosure-log-keys.json");
            await File.WriteAllTextAsync(headFile, headJson);
            await File.WriteAllTextAsync(keysFile, keysJson);

            var backup = Path.Combine(folder, "consent.dump");
            await PostgresServer.RunClientToolAsync("pg_dump", postgres.ConnectionString, "--format=custom", "--file=" + backup);

            var trusting = new LogVerifierOptions
            {
                TrustedKeys = LogPublicKeys.Parse(keysJson),
                TrustedHeads = [new TrustedTreeHead("published", head)],
            };

            // The backup, restored into a new database: every entry, the tree and the stored heads verify, and so does the published head.
            var whole = await RestoreAsync(server, backup, restored);
            var holds = LogVerifier.VerifyPostgres(whole, trusting);
            holds.Holds.ShouldBeTrue(string.Join("; ", holds.Failures.Select(f => f.Message)));
            holds.TrustedHeadsChecked.ShouldBe(1);
            holds.LogSize.ShouldBeGreaterThanOrEqualTo(head.TreeSize);
            var (exit, output, error) = await RealLogTamperTests.RunAsync(
                "verify-log", "--connection", whole, "--public-key", keysFile, "--tree-head", headFile);
            exit.ShouldBe(ExitCodes.Ok, output + error);
            output.ShouldContain("The log verifies");

            // The dump from before the head: consistent by itself, but it lacks entries the published head covers.
            var truncated = await RestoreAsync(server, early, restored);
            var alone = LogVerifier.VerifyPostgres(truncated, new LogVerifierOptions { TrustedKeys = LogPublicKeys.Parse(keysJson) });
            alone.Holds.ShouldBeTrue(string.Join("; ", alone.Failures.Select(f => f.Message)));
            alone.LogSize.ShouldBeLessThan(head.TreeSize);

            var inconsistent = LogVerifier.VerifyPostgres(truncated, trusting);
            inconsistent.Holds.ShouldBeFalse();
            inconsistent.Failures.ShouldAllBe(f => f.TrustedHead == "published");
            inconsistent.Failures.ShouldContain(f => f.Kind == LogFailureKind.Fork);
            (exit, output, error) = await RealLogTamperTests.RunAsync(
                "verify-log", "--connection", truncated, "--public-key", keysFile, "--tree-head", headFile);
            exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
            output.ShouldContain("does NOT verify");
            output.ShouldNotContain("sv-");
        }
        finally
        {
            foreach (var database in restored)
            {
                await server.DropDatabaseAsync(database);
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Restores a custom-format dump into a new, empty database; returns its connection string.</summary>
    private static async Task<string> RestoreAsync(PostgresServer server, string dump, List<string> restored)
    {
        var database = await server.CreateDatabaseAsync();
        restored.Add(database);
        await PostgresServer.RunClientToolAsync("pg_restore", database, "--exit-on-error", "--no-owner", "--no-privileges", dump);
        return database;
    }
}
