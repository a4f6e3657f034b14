using System.Security.Cryptography;
using Consent.Api.Consents;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Consent.Cli.Tests;

/// <summary>
/// <c>consent seed</c> on a freshly migrated database: grown to a small scale, then grown again; the log verifies with
/// <c>consent verify-log</c> after each, what was there stays as it was, and a smaller scale is refused without a change.
/// Run on SQLite and on PostgreSQL (the test run's server).
/// </summary>
public abstract class SeedTests : IAsyncLifetime
{
    protected TempDirectory Directory { get; } = new();

    /// <summary>The <c>--connection</c> value: the SQLite file, or the PostgreSQL connection string.</summary>
    protected string Connection { get; set; } = "";

    /// <summary>The API's signing key, as a PKCS#8 PEM file.</summary>
    protected string KeyFile { get; set; } = "";

    /// <summary>The arguments naming the database and key, for seed.</summary>
    protected abstract string[] Target { get; }

    /// <summary>The arguments naming the database, for verify-log.</summary>
    protected abstract string[] VerifyTarget { get; }

    protected abstract ConsentDb Open();

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync()
    {
        Directory.Dispose();
        return Task.CompletedTask;
    }

    protected static void WriteKey(string path)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
    }

    protected async Task MigrateAsync()
    {
        await using var db = Open();
        await db.Database.MigrateAsync();
    }

    [Fact]
    public async Task Seed_ThenGrow_AppendsToTheChain_AndTheLogVerifies()
    {
        var (first, firstOut, firstError) = await Cli.RunAsync(Seed("3000", "300"));
        first.ShouldBe(ExitCodes.Ok, firstError + firstOut);
        firstOut.ShouldContain("Tree head 1 signed over 3,000 leaves");
        await CountsShouldBeAsync(entries: 3000, grants: 300);
        var kept = await EntryAsync(1234);
        (await VerifyAsync()).ShouldBe(ExitCodes.Ok);

        var (second, secondOut, secondError) = await Cli.RunAsync(Seed("5000", "500"));

        second.ShouldBe(ExitCodes.Ok, secondError + secondOut);
        secondOut.ShouldContain("Tree head 2 signed over 5,000 leaves");
        await CountsShouldBeAsync(entries: 5000, grants: 500);
        (await EntryAsync(1234)).ShouldBe(kept);
        (await VerifyAsync()).ShouldBe(ExitCodes.Ok);
        await using var db = Open();
        (await db.Disclosures.Where(e => e.Sequence == 3001).Select(e => e.PreviousHash).SingleAsync())
            .ShouldBe(await db.Disclosures.Where(e => e.Sequence == 3000).Select(e => e.Hash).SingleAsync());
    }

    [Fact]
    public async Task Seed_SmallerThanTheLog_IsRefused_AndChangesNothing()
    {
        (await Cli.RunAsync(Seed("2000", "100"))).ExitCode.ShouldBe(ExitCodes.Ok);

        var (exitCode, output, error) = await Cli.RunAsync(Seed("1000", "200"));

        exitCode.ShouldBe(ExitCodes.Failed, output);
        error.ShouldContain("already holds 2,000 entries, more than --scale 1,000");
        error.ShouldContain("Nothing was seeded");
        await CountsShouldBeAsync(entries: 2000, grants: 100);
    }

    [Fact]
    public async Task SeededGrants_ReadBackAsTheApiStoresThem_ActiveWithTheirFirstVersion()
    {
        (await Cli.RunAsync(Seed("500", "40"))).ExitCode.ShouldBe(ExitCodes.Ok);

        await using var db = Open();
        var grants = await db.Consents.AsNoTracking().Where(c => c.SurvivorId == "sv-seed-0000003").ToListAsync();
        grants.Count.ShouldBe(4);
        grants.Select(g => g.RecipientAgencyId).ShouldBe(["bridge-legal", "northside-clinic", "lighthouse-counseling", "dcf-region-4"], ignoreOrder: true);
        grants.ShouldAllBe(g => g.StatusAt(DateTimeOffset.UtcNow) == ConsentStatus.Active && g.Version == 1 && g.SourceAgencyIds.Single() == "harbor-house");
        var version = await db.ConsentVersions.AsNoTracking().SingleAsync(v => v.ConsentId == grants[0].Id);
        version.Change.ShouldBe(ConsentChange.Granted);
        version.ReadTerms().RecipientAgencyId.ShouldBe(grants[0].RecipientAgencyId);
        var survivor = await db.Survivors.AsNoTracking().SingleAsync(s => s.Id == "sv-seed-0000003");
        survivor.DateOfBirth.ShouldBeNull();
        (await db.Survivors.CountAsync(s => s.Id.StartsWith("sv-seed-"))).ShouldBe(100);
    }

    [Fact]
    public async Task Seed_OfADatabaseWithOtherSurvivors_NeedsYes()
    {
        await using (var db = Open())
        {
            db.Agencies.Add(Api.Demo.DemoData.AgencyOf(Consent.Policies.DemoAgencies.All[0]));
            db.Survivors.Add(new Survivor("sv-77", "harbor-house", "en", null, null, "advocate-1", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var (refused, _, error) = await Cli.RunAsync(Seed("100", null));
        refused.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("never production");
        await CountsShouldBeAsync(entries: 0, grants: 0);

        (await Cli.RunAsync([.. Seed("100", null), "--yes"])).ExitCode.ShouldBe(ExitCodes.Ok);
        await CountsShouldBeAsync(entries: 100, grants: 0);
    }

    protected string[] Seed(string scale, string? consents) =>
        [.. new[] { "seed", "--scale", scale }, .. consents is null ? [] : new[] { "--consents", consents }, .. Target];

    private async Task<int> VerifyAsync()
    {
        var (exitCode, output, error) = await Cli.RunAsync(["verify-log", .. VerifyTarget]);
        exitCode.ShouldBe(ExitCodes.Ok, error + output);
        output.ShouldContain("The log verifies");
        return exitCode;
    }

    private async Task CountsShouldBeAsync(long entries, long grants)
    {
        await using var db = Open();
        (await db.Disclosures.LongCountAsync()).ShouldBe(entries);
        (await db.Disclosures.MaxAsync(e => (long?)e.Sequence) ?? 0).ShouldBe(entries);
        (await db.DisclosureTree.LongCountAsync()).ShouldBe(entries);
        (await db.Consents.LongCountAsync()).ShouldBe(grants);
        (await db.ConsentVersions.LongCountAsync()).ShouldBe(grants);
    }

    private async Task<string> EntryAsync(long sequence)
    {
        await using var db = Open();
        return await db.Disclosures.Where(e => e.Sequence == sequence).Select(e => e.Hash + e.SurvivorId + e.PurposeOfUse).SingleAsync();
    }
}

/// <summary>On a SQLite file, signed with the key the API keeps beside it (the default).</summary>
public sealed class SqliteSeedTests : SeedTests
{
    protected override string[] Target => ["--connection", Connection];

    protected override string[] VerifyTarget => ["--database", Connection];

    public override async Task InitializeAsync()
    {
        Connection = Directory.File("consent.db");
        KeyFile = Path.Combine(Directory.Path, "keys", "disclosure-log-signing.pem");
        WriteKey(KeyFile);
        await MigrateAsync();
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }

    protected override ConsentDb Open() => new(new DbContextOptionsBuilder<ConsentDb>().UseSqlite($"Data Source={Connection}").Options);

    [Fact]
    public async Task Seed_WithoutTheApisKey_IsRefused()
    {
        File.Delete(KeyFile);

        var (exitCode, _, error) = await Cli.RunAsync(Seed("100", null));

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("signing key");
        error.ShouldContain("does not exist");
    }

    [Fact]
    public async Task Seed_OfAMissingFile_IsRefused()
    {
        var (exitCode, _, error) = await Cli.RunAsync("seed", "--scale", "10", "--connection", Directory.File("nothing.db"));

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("There is no database at");
        File.Exists(Directory.File("nothing.db")).ShouldBeFalse();
    }
}

/// <summary>On a fresh database of the test run's PostgreSQL server, signed with the deployment key given by file.</summary>
public sealed class PostgresSeedTests : SeedTests
{
    private PostgresServer? server;

    protected override string[] Target => ["--connection", Connection, "--signing-key-file", KeyFile];

    protected override string[] VerifyTarget => ["--connection", Connection];

    public override async Task InitializeAsync()
    {
        server = await PostgresServer.Shared;
        Connection = await server.CreateDatabaseAsync();
        KeyFile = Directory.File("signing.pem");
        WriteKey(KeyFile);
        await MigrateAsync();
    }

    public override async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DropDatabaseAsync(Connection);
        }

        await base.DisposeAsync();
    }

    protected override ConsentDb Open() => new PostgresConsentDb(new DbContextOptionsBuilder<PostgresConsentDb>().UseNpgsql(Connection).Options);

    [Fact]
    public async Task Seed_WithoutAKey_IsAUsageError()
    {
        var (exitCode, _, error) = await Cli.RunAsync("seed", "--scale", "10", "--connection", Connection);

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldContain("--signing-key-file");
    }

    [Fact]
    public async Task Seed_OfAnUnreachableServer_IsRefused()
    {
        var (exitCode, _, error) = await Cli.RunAsync("seed", "--scale", "10", "--connection", "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2",
            "--signing-key-file", KeyFile);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("cannot read the database");
    }
}
