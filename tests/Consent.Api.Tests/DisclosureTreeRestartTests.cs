using Consent.Api.DisclosureTree;
using Consent.Api.Storage;
using Consent.Log.Merkle;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Consent.Api.Tests;

/// <summary>The tree integrator and the signing key across restarts, commits and tampering, on a real SQLite file.</summary>
public sealed class DisclosureTreeRestartTests
{
    // Only commits wake the integrator in these hosts: its fallback timer is an hour.
    private static readonly Dictionary<string, string?> SignalOnly = new()
    {
        ["DisclosureTree:IntegrationInterval"] = "01:00:00",
        ["DisclosureTree:IntegrationPause"] = "00:00:00",
    };

    [Fact]
    public async Task Integrator_IsWokenByTheWritersCommits()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), tree: true, settings: SignalOnly);
        for (var n = 1; n <= 3; n++)
        {
            await log.Log.AppendAsync(TreeDrafts.Draft(n), CancellationToken.None);
        }

        var integrator = log.Services.GetRequiredService<DisclosureTreeIntegrator>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (integrator.IntegratedSize < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        integrator.IntegratedSize.ShouldBe(3);
        await RowsShouldEqualTheEntriesTreeAsync(log);
    }

    [Fact]
    public async Task OnSqlite_TheOneInstance_LeadsFromTheStart()
    {
        var settings = new Dictionary<string, string?>(SignalOnly) { ["DisclosureTree:SigningInterval"] = "00:00:01" };
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), tree: true, settings: settings);
        log.Services.GetRequiredService<LeaderLease>().IsLeader.ShouldBeTrue();
        var health = await log.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        health.Entries["disclosure-tree-leader"].Description.ShouldBe("leader");

        // Its background integrator and signer run: a commit is integrated, and a head signed on the interval.
        await log.Log.AppendAsync(TreeDrafts.Draft(1), CancellationToken.None);
        await using var scope = log.Scope(out var db);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await db.TreeHeads.AnyAsync() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        (await db.TreeHeads.Select(h => h.TreeSize).ToListAsync()).ShouldBe([1]);
        await RowsShouldEqualTheEntriesTreeAsync(db);
    }

    [Fact]
    public async Task Integrator_PutsTheConnectionsDurabilityBack_BeforeItReturnsToThePool()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), tree: true, settings: SignalOnly);
        for (var n = 1; n <= 3; n++)
        {
            await log.Log.AppendAsync(TreeDrafts.Draft(n), CancellationToken.None);
        }

        (await log.Services.GetRequiredService<DisclosureTreeIntegrator>().IntegrateAsync(CancellationToken.None)).Size.ShouldBe(3);

        // Every pooled connection other features get back commits with FULL (2), as SQLite's default in WAL mode.
        var scopes = Enumerable.Range(0, 3).Select(_ => log.Scope(out var db) is var scope ? (scope, db) : default).ToList();
        foreach (var (_, db) in scopes)
        {
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA synchronous;";
            Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(2);
        }

        foreach (var (scope, _) in scopes)
        {
            await scope.DisposeAsync();
        }
    }

    [Fact]
    public async Task Integrator_ResumesAfterARestart_WithoutWritingARowTwice_AndTheKeySurvives()
    {
        var file = DisclosureLogHost.NewDatabaseFile();
        string keyId;
        await using (var first = await DisclosureLogHost.StartAsync(file, tree: true, settings: SignalOnly))
        {
            for (var n = 1; n <= 5; n++)
            {
                await first.Log.AppendAsync(TreeDrafts.Draft(n), CancellationToken.None);
            }

            var head = await first.Services.GetRequiredService<TreeHeadSigner>().SignAsync(CancellationToken.None);
            head!.TreeSize.ShouldBe(5);
            keyId = head.KeyId;
        }

        File.Exists(Path.Combine(Path.GetDirectoryName(file)!, "keys", "disclosure-log-signing.pem")).ShouldBeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(Path.GetDirectoryName(file)!, "keys", "disclosure-log-signing.pem"))
                .ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await using var second = await DisclosureLogHost.StartAsync(file, tree: true, settings: SignalOnly);
        for (var n = 6; n <= 11; n++)
        {
            await second.Log.AppendAsync(TreeDrafts.Draft(n), CancellationToken.None);
        }

        var signer = second.Services.GetRequiredService<TreeHeadSigner>();
        var again = await signer.SignAsync(CancellationToken.None);
        again!.TreeSize.ShouldBe(11);
        again.KeyId.ShouldBe(keyId);
        (await second.Services.GetRequiredService<DisclosureTreeIntegrator>().IntegrateAsync(CancellationToken.None)).Size.ShouldBe(11);

        await RowsShouldEqualTheEntriesTreeAsync(second);
        await using var scope = second.Scope(out var db);
        (await db.DisclosureLogKeys.Select(k => k.KeyId).ToListAsync()).ShouldBe([keyId]);
        var entries = await second.ReadAllAsync();
        again.RootHash.ShouldBe(MerkleTree.RootHash(DisclosureTreeTests.MemoryTree(entries), 11));
        (await db.TreeHeads.OrderBy(h => h.Id).Select(h => h.TreeSize).ToListAsync()).ShouldBe([5, 11]);
    }

    [Fact]
    public async Task ANewKeyFile_SignsUnderANewKeyId_AndTheOldKeyStaysPublished()
    {
        var file = DisclosureLogHost.NewDatabaseFile();
        string oldKey;
        await using (var first = await DisclosureLogHost.StartAsync(file, tree: true, settings: SignalOnly))
        {
            await first.Log.AppendAsync(TreeDrafts.Draft(1), CancellationToken.None);
            oldKey = (await first.Services.GetRequiredService<TreeHeadSigner>().SignAsync(CancellationToken.None))!.KeyId;
        }

        var rotated = new Dictionary<string, string?>(SignalOnly) { ["DisclosureTree:SigningKeyFile"] = Path.Combine("keys", "disclosure-log-signing-2.pem") };
        await using var second = await DisclosureLogHost.StartAsync(file, tree: true, settings: rotated);
        await second.Log.AppendAsync(TreeDrafts.Draft(2), CancellationToken.None);
        var head = await second.Services.GetRequiredService<TreeHeadSigner>().SignAsync(CancellationToken.None);
        head!.KeyId.ShouldNotBe(oldKey);
        await using var scope = second.Scope(out var db);
        (await db.DisclosureLogKeys.Select(k => k.KeyId).ToListAsync()).ShouldBe([oldKey, head.KeyId], ignoreOrder: true);
    }

    [Fact]
    public async Task ATreeThatDisagreesWithTheLog_IsNeitherExtendedNorSigned()
    {
        var file = DisclosureLogHost.NewDatabaseFile();
        await using (var first = await DisclosureLogHost.StartAsync(file, tree: true, settings: SignalOnly))
        {
            for (var n = 1; n <= 4; n++)
            {
                await first.Log.AppendAsync(TreeDrafts.Draft(n), CancellationToken.None);
            }

            (await first.Services.GetRequiredService<DisclosureTreeIntegrator>().IntegrateAsync(CancellationToken.None)).Size.ShouldBe(4);
        }

        // Two more entries while no integrator runs, and a forged row for the first of them.
        await using (var plain = await DisclosureLogHost.StartAsync(file))
        {
            await plain.Log.AppendAsync(TreeDrafts.Draft(5), CancellationToken.None);
            await plain.Log.AppendAsync(TreeDrafts.Draft(6), CancellationToken.None);
        }

        await using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            await connection.OpenAsync();
            await using var forge = connection.CreateCommand();
            forge.CommandText = "INSERT INTO \"DisclosureTree\" (\"LeafIndex\", \"Hashes\") VALUES (4, randomblob(32))";
            await forge.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        await using var second = await DisclosureLogHost.StartAsync(file, tree: true, settings: SignalOnly);
        var integrator = second.Services.GetRequiredService<DisclosureTreeIntegrator>();
        await Should.ThrowAsync<DisclosureTreeHaltedException>(() => integrator.IntegrateAsync(CancellationToken.None));
        integrator.IsHalted.ShouldBeTrue();
        await Should.ThrowAsync<DisclosureTreeHaltedException>(() => second.Services.GetRequiredService<TreeHeadSigner>().SignAsync(CancellationToken.None));

        await using var scope = second.Scope(out var db);
        (await db.DisclosureTree.CountAsync()).ShouldBe(5, "nothing built on the forged row");
        (await db.TreeHeads.CountAsync()).ShouldBe(0);
    }

    private static async Task RowsShouldEqualTheEntriesTreeAsync(DisclosureLogHost log)
    {
        await using var scope = log.Scope(out var db);
        await RowsShouldEqualTheEntriesTreeAsync(db);
    }

    /// <summary>The stored tree has one row per entry of the log, each holding the subtree hashes the entries make.</summary>
    internal static async Task RowsShouldEqualTheEntriesTreeAsync(ConsentDb db)
    {
        var entries = await db.Disclosures.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        var memory = DisclosureTreeTests.MemoryTree(entries);
        var rows = await db.DisclosureTree.AsNoTracking().OrderBy(r => r.LeafIndex).ToListAsync();
        rows.Select(r => r.LeafIndex).ShouldBe(Enumerable.Range(0, entries.Count).Select(i => (long)i));
        var expected = new byte[MerkleHash.Size];
        foreach (var row in rows)
        {
            for (var level = 0; level * MerkleHash.Size < row.Hashes.Length; level++)
            {
                memory.CopySubtreeHash(row.LeafIndex + 1 - (1L << level), level, expected);
                row.Hashes.AsSpan(level * MerkleHash.Size, MerkleHash.Size).ToArray().ShouldBe(expected);
            }
        }
    }
}
