using System.Diagnostics;
using System.Globalization;
using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Consent.Api.Storage;
using Consent.Log.Merkle;
using Consent.Log.TreeHeads;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Primitives;
using Npgsql;

namespace Consent.Api.Tests;

/// <summary>
/// Several API instances on one PostgreSQL database: one of them (the holder of the leader lease) integrates the
/// tree and signs heads in the background, all with the deployment's one key; when the leader stops or its
/// connection is killed, another takes over, and the tree and its heads keep verifying.
/// </summary>
public sealed class PostgresTreeLeaderTests(PostgresApi postgres) : IClassFixture<PostgresApi>
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["DisclosureTree:LeaderPollInterval"] = "00:00:00.200",
        ["DisclosureTree:IntegrationInterval"] = "00:00:00.100",
        ["DisclosureTree:IntegrationPause"] = "00:00:00",
        ["DisclosureTree:SigningInterval"] = "00:00:01",
    };

    [Fact]
    public async Task TwoInstances_OnlyTheLeaderIntegratesAndSigns_UnderTheDeploymentsOneKey()
    {
        await using var first = Start(Fast);
        await using var second = Start(Fast);
        var leader = await OnlyLeaderAsync(first, second);
        var follower = leader == first ? second : first;
        (await HealthAsync(leader)).ShouldBe("leader");
        (await HealthAsync(follower)).ShouldBe("standby");

        await Task.WhenAll(AppendAsync(first, 10), AppendAsync(second, 10));
        var size = await LogSizeAsync(leader);
        await UntilAsync(async () => await HeadSizesAsync(leader) is [.., var last] && last == size, "the leader signs the whole log");

        // The follower was woken by its own commits and by its timer, but left the work to the leader.
        follower.Services.GetRequiredService<DisclosureTreeIntegrator>().IntegratedSize.ShouldBe(0);

        // Heads signed on demand by both, while both append: one writer of the tree at a time, no failed insert.
        var signed = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var instance = i % 2 == 0 ? first : second;
            await AppendAsync(instance, 1 + i % 3);
            return await instance.Services.GetRequiredService<TreeHeadSigner>().SignAsync(CancellationToken.None);
        }));
        signed.ShouldAllBe(head => head != null);

        await ShouldVerifyAsync(leader, await LogSizeAsync(leader));
    }

    [Fact]
    public async Task AKilledLeadersConnection_PassesTheLeaseToTheOther_AndTheTreeKeepsGrowing()
    {
        // The first leads (nobody else is there), and checks its connection only every 3 s, as a leader whose host hangs.
        await using var first = Start(new Dictionary<string, string?>(Fast) { ["DisclosureTree:LeaderPollInterval"] = "00:00:03" });
        await UntilAsync(() => Task.FromResult(Lease(first).IsLeader), "the only instance leads");
        await using var second = Start(Fast);
        await AppendAsync(first, 5);
        var held = await LeaseHolderAsync();
        held.ShouldNotBeNull();

        // As if its process were killed: the server ends its session, and with it the lease.
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend({held})", admin);
            (await terminate.ExecuteScalarAsync()).ShouldBe(true);
        }

        var watch = Stopwatch.StartNew();
        await UntilAsync(() => Task.FromResult(Lease(second).IsLeader), "the other instance takes over");
        watch.Elapsed.ShouldBeLessThan(Poll * 10);
        (await LeaseHolderAsync()).ShouldNotBe(held);

        // The first has not noticed yet: both integrate for a while, one at a time.
        await Task.WhenAll(AppendAsync(first, 6), AppendAsync(second, 6));
        await UntilAsync(() => Task.FromResult(!Lease(first).IsLeader), "the first finds its connection gone and steps down");
        await AppendAsync(first, 3);
        var size = await LogSizeAsync(second);
        await UntilAsync(async () => await HeadSizesAsync(second) is [.., var last] && last == size, "the new leader signs the whole log");
        Lease(second).IsLeader.ShouldBeTrue();
        Lease(first).IsLeader.ShouldBeFalse();
        (await HealthAsync(first)).ShouldBe("standby");

        await ShouldVerifyAsync(second, size);
    }

    [Fact]
    public async Task AStoppedLeader_PassesTheLeaseToTheOther_WithinItsPollInterval()
    {
        await using var first = Start(Fast);
        await using var second = Start(Fast);
        var leader = await OnlyLeaderAsync(first, second);
        var follower = leader == first ? second : first;
        await AppendAsync(leader, 4);
        await leader.DisposeAsync();
        var watch = Stopwatch.StartNew();
        await UntilAsync(() => Task.FromResult(Lease(follower).IsLeader), "the other instance takes over");
        watch.Elapsed.ShouldBeLessThan(Poll * 10);

        await AppendAsync(follower, 4);
        var size = await LogSizeAsync(follower);
        await UntilAsync(async () => await HeadSizesAsync(follower) is [.., var last] && last == size, "the new leader signs the whole log");
        await ShouldVerifyAsync(follower, size);
    }

    [Fact]
    public async Task OnPostgres_WithoutASigningKey_TheApiDoesNotStart_AndMakesNoKeyOfItsOwn()
    {
        await using var host = ApiHost.With(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Consent"] = postgres.ConnectionString,
        });

        var refused = Should.Throw<Exception>(() => host.Services);
        refused.ToString().ShouldContain("DisclosureTree:SigningKeyPem");
        File.Exists(Path.Combine(host.DataDirectory, "keys", "disclosure-log-signing.pem")).ShouldBeFalse();
    }

    private ApiHost Start(IReadOnlyDictionary<string, string?> settings)
    {
        var host = PostgresApi.For(postgres.ConnectionString, settings);
        _ = host.Services; // started, as an instance behind a load balancer would be
        return host;
    }

    private static LeaderLease Lease(ApiHost host) => host.Services.GetRequiredService<LeaderLease>();

    /// <summary>The one instance that leads, once one does; never two.</summary>
    private static async Task<ApiHost> OnlyLeaderAsync(params ApiHost[] hosts)
    {
        await UntilAsync(() => Task.FromResult(hosts.Any(h => Lease(h).IsLeader)), "an instance leads");
        await Task.Delay(Poll * 3);
        return hosts.Where(h => Lease(h).IsLeader).ShouldHaveSingleItem();
    }

    private static async Task<string?> HealthAsync(ApiHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["disclosure-tree-leader"].Description;

    private static async Task AppendAsync(ApiHost host, int count)
    {
        var log = host.Services.GetRequiredService<IDisclosureLog>();
        for (var n = 1; n <= count; n++)
        {
            await log.AppendAsync(TreeDrafts.Draft(n), CancellationToken.None);
        }
    }

    private static async Task<long> LogSizeAsync(ApiHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsentDb>().Disclosures.LongCountAsync();
    }

    private static async Task<List<long>> HeadSizesAsync(ApiHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsentDb>().TreeHeads.OrderBy(h => h.Id).Select(h => h.TreeSize).ToListAsync();
    }

    /// <summary>The backend process holding the leader lease of this test's database, if any.</summary>
    private async Task<int?> LeaseHolderAsync()
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid::bigint = @high AND objid::bigint = @low
            """, connection);
        command.Parameters.AddWithValue("high", PostgresConsentDb.DisclosureTreeLeaderLock >> 32);
        command.Parameters.AddWithValue("low", PostgresConsentDb.DisclosureTreeLeaderLock & 0xFFFF_FFFF);
        return await command.ExecuteScalarAsync() is int pid ? pid : null;
    }

    /// <summary>
    /// The tree has a row per entry with the entries' subtree hashes; every head has the root of its size, is signed
    /// by the deployment's one registered key, comes after the one before it, and is consistent with the latest.
    /// </summary>
    private static async Task ShouldVerifyAsync(ApiHost host, long size)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        await UntilAsync(async () => await db.DisclosureTree.LongCountAsync() >= size, "the tree covers the log");
        await DisclosureTreeRestartTests.RowsShouldEqualTheEntriesTreeAsync(db);

        var key = (await db.DisclosureLogKeys.AsNoTracking().ToListAsync()).ShouldHaveSingleItem();
        using (var deployment = TreeSigningKey.FromPem(PostgresApi.SigningKeyPem))
        {
            key.KeyId.ShouldBe(deployment.KeyId);
        }

        var memory = DisclosureTreeTests.MemoryTree(await db.Disclosures.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        var heads = await db.TreeHeads.AsNoTracking().OrderBy(h => h.Id).ToListAsync();
        heads.ShouldNotBeEmpty();
        heads.Select(h => h.TreeSize).ShouldBeInOrder();
        heads.Select(h => h.Timestamp).ShouldBeInOrder();
        foreach (var head in heads)
        {
            head.RootHash.ShouldBe(MerkleTree.RootHash(memory, head.TreeSize), $"head {head.Id}");
            TreeHeadSignature.Verify(key.PublicKey, new TreeHead(head.TreeSize, head.Timestamp, head.RootHash, head.KeyId, head.Signature))
                .ShouldBeTrue($"head {head.Id}");
        }

        // This instance proves every earlier head consistent with the latest, from the rows all instances wrote.
        var queries = scope.ServiceProvider.GetRequiredService<DisclosureTreeQueries>();
        var latest = heads[^1];
        foreach (var head in heads.Where(h => h.TreeSize < latest.TreeSize).DistinctBy(h => h.TreeSize))
        {
            var sent = new QueryCollection(new Dictionary<string, StringValues>
            {
                ["from"] = head.TreeSize.ToString(CultureInfo.InvariantCulture),
                ["to"] = latest.TreeSize.ToString(CultureInfo.InvariantCulture),
            });
            var proof = (await queries.ConsistencyAsync(new ConsistencyProofQuery(sent["from"], sent["to"]), sent, CancellationToken.None)).Value;
            MerkleVerifier.VerifyConsistency(head.TreeSize, latest.TreeSize, head.RootHash, latest.RootHash,
                proof.ShouldNotBeNull().Consistency.Select(Convert.FromHexString).ToList()).ShouldBeTrue($"head {head.Id}");
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, what);
            await Task.Delay(50);
        }
    }
}
