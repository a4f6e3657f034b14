using System.Reflection;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Consent.Api.Tests;

/// <summary>The disclosure log: append-only in the type, the DbContext and the database; group commit; the hash chain.</summary>
public sealed class DisclosureLogTests
{
    private static DisclosureDraft APermit(string requestId, string survivorId = "sv-1001") => new(
        RecipientAgencyId: "northside-clinic",
        ClientId: "northside-ehr",
        UserId: null,
        SurvivorId: survivorId,
        ResourceType: "Observation",
        ResourceIds: ["obs-1", "obs-2"],
        PurposeOfUse: "TREAT",
        Decision: DisclosureDecision.Permit,
        Basis: [DisclosureBasis.Mou(Guid.Parse("0192f6a0-0000-7000-8000-000000000002")), DisclosureBasis.Grant(Guid.Parse("0192f6a0-0000-7000-8000-000000000001"))],
        PolicyVersion: "0.1.0",
        RequestId: requestId);

    private static DisclosureDraft ADeny(string requestId) =>
        APermit(requestId) with { ResourceIds = [], Basis = [], Decision = DisclosureDecision.Deny };

    // --- the type ---

    [Fact]
    public void Entry_HasNoSetters_AndItsListsAreReadOnlyCopies()
    {
        foreach (var property in typeof(DisclosureEntry).GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            property.SetMethod.ShouldBeNull($"{property.Name} has a setter");
        }

        var resourceIds = new List<string> { "obs-1" };
        var entry = DisclosureEntry.Chain(1, DateTimeOffset.UnixEpoch, APermit("req-1") with { ResourceIds = resourceIds }, DisclosureChain.Genesis);
        resourceIds.Add("obs-smuggled");
        entry.ResourceIds.ShouldBe(["obs-1"]);
        Should.Throw<NotSupportedException>(() => ((IList<string>)entry.ResourceIds).Add("obs-x"));
        Should.Throw<NotSupportedException>(() => ((IList<DisclosureBasis>)entry.Basis).Clear());
        DisclosureChain.FirstBreak([entry]).ShouldBeNull();
    }

    [Fact]
    public void Draft_ThatWouldMislead_IsRefused()
    {
        var withoutBasis = APermit("req-1") with { Basis = [] };
        Should.Throw<ArgumentException>(() => DisclosureEntry.Chain(1, DateTimeOffset.UnixEpoch, withoutBasis, DisclosureChain.Genesis));
        var denyWithData = ADeny("req-2") with { ResourceIds = ["obs-1"] };
        Should.Throw<ArgumentException>(() => DisclosureEntry.Chain(1, DateTimeOffset.UnixEpoch, denyWithData, DisclosureChain.Genesis));
        Should.Throw<ArgumentException>(() => DisclosureEntry.Chain(1, DateTimeOffset.UnixEpoch, APermit(""), DisclosureChain.Genesis));
    }

    // --- the canonical encoding (docs/disclosure-log.md): a fixed vector, so an accidental change fails here ---

    [Fact]
    public void CanonicalEncoding_Version1_MatchesTheDocumentedVector()
    {
        var entry = DisclosureEntry.Chain(1, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123), APermit("req-1"), DisclosureChain.Genesis);

        var encoded = DisclosureChain.Encode(entry);

        encoded[0].ShouldBe((byte)1);
        Convert.ToHexStringLower(encoded).ShouldBe(KnownVector.Encoding);
        entry.Hash.ShouldBe(KnownVector.Hash);
        entry.Basis.Select(b => b.Kind).ShouldBe([DisclosureBasisKind.ConsentGrant, DisclosureBasisKind.Mou]);
    }

    [Fact]
    public void AnyChangedField_ChangesTheHash_AndVerificationNamesTheEntry()
    {
        var first = DisclosureEntry.Chain(1, DateTimeOffset.UnixEpoch, APermit("req-1"), DisclosureChain.Genesis);
        var second = DisclosureEntry.Chain(2, DateTimeOffset.UnixEpoch, APermit("req-2"), first.Hash);
        var forged = DisclosureEntry.Chain(2, DateTimeOffset.UnixEpoch, APermit("req-2") with { UserId = "someone" }, first.Hash);
        var unchained = DisclosureEntry.Chain(2, DateTimeOffset.UnixEpoch, APermit("req-2"), DisclosureChain.Genesis);

        forged.Hash.ShouldNotBe(second.Hash);
        DisclosureChain.FirstBreak([first, second]).ShouldBeNull();
        DisclosureChain.FirstBreak([first, unchained]).ShouldBe(2);
        DisclosureChain.FirstBreak([second]).ShouldBe(1);
    }

    // --- the DbContext and the database ---

    [Fact]
    public async Task EfUpdate_IsRefusedByTheDbContext()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile());
        var appended = await log.Log.AppendAsync(APermit("req-1"), CancellationToken.None);

        await using (log.Scope(out var db))
        {
            var entry = await db.Disclosures.SingleAsync(e => e.Sequence == appended.Sequence);
            db.Entry(entry).Property(e => e.PurposeOfUse).CurrentValue = "HMARKT";
            var refused = await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            refused.Message.ShouldContain("append-only");
            Should.Throw<InvalidOperationException>(() => db.SaveChanges());
        }

        (await log.ReadAllAsync()).Single().PurposeOfUse.ShouldBe("TREAT");
    }

    [Fact]
    public async Task EfDelete_IsRefusedByTheDbContext()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile());
        await log.Log.AppendAsync(APermit("req-1"), CancellationToken.None);

        await using (log.Scope(out var db))
        {
            db.Disclosures.Remove(await db.Disclosures.SingleAsync());
            var refused = await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            refused.Message.ShouldContain("append-only");
        }

        (await log.ReadAllAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task RawSqlUpdate_IsRejectedByTheTrigger()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile());
        await log.Log.AppendAsync(APermit("req-1"), CancellationToken.None);

        await using (log.Scope(out var db))
        {
            var rejected = await Should.ThrowAsync<SqliteException>(() =>
                db.Database.ExecuteSqlRawAsync("""UPDATE "DisclosureLog" SET "PurposeOfUse" = 'HMARKT'"""));
            rejected.Message.ShouldContain("append-only: UPDATE refused");
            await Should.ThrowAsync<SqliteException>(() =>
                db.Disclosures.ExecuteUpdateAsync(set => set.SetProperty(e => e.RequestId, "req-forged")));
        }

        var stored = (await log.ReadAllAsync()).Single();
        stored.PurposeOfUse.ShouldBe("TREAT");
        DisclosureChain.FirstBreak([stored]).ShouldBeNull();
    }

    [Fact]
    public async Task RawSqlDelete_IsRejectedByTheTrigger()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile());
        await log.Log.AppendAsync(APermit("req-1"), CancellationToken.None);

        await using (log.Scope(out var db))
        {
            var rejected = await Should.ThrowAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("""DELETE FROM "DisclosureLog" """));
            rejected.Message.ShouldContain("append-only: DELETE refused");
            await Should.ThrowAsync<SqliteException>(() => db.Disclosures.ExecuteDeleteAsync());
        }

        (await log.ReadAllAsync()).Count.ShouldBe(1);
    }

    // --- group commit ---

    [Fact]
    public async Task ConcurrentAppends_AreGapFreeInOrder_AndTheChainVerifies()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile());

        var appended = await Task.WhenAll(Enumerable.Range(1, 64).Select(i => Task.Run(() =>
            log.Log.AppendAsync(i % 5 == 0 ? ADeny($"req-{i}") : APermit($"req-{i}"), CancellationToken.None))));

        appended.Select(e => e.Sequence).Order().ShouldBe(Enumerable.Range(1, 64).Select(i => (long)i));
        appended.Select(e => e.RequestId).Distinct().Count().ShouldBe(64);
        var stored = await log.ReadAllAsync();
        stored.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, 64).Select(i => (long)i));
        DisclosureChain.FirstBreak(stored).ShouldBeNull();
        foreach (var entry in appended)
        {
            var same = stored[(int)entry.Sequence - 1];
            (same.RequestId, same.Hash, same.Decision).ShouldBe((entry.RequestId, entry.Hash, entry.Decision));
        }

        stored.Zip(stored.Skip(1)).ShouldAllBe(pair => pair.First.RecordedAt <= pair.Second.RecordedAt);
    }

    [Fact]
    public async Task FailedCommit_FailsEveryCallerInTheBatch_AndNothingIsHalfWritten()
    {
        var store = new StoreSwitch();
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), store);
        var before = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => log.Log.AppendAsync(APermit($"req-{i}"), CancellationToken.None)));

        store.FailCommits(true);
        var failing = Enumerable.Range(10, 16).Select(i => log.Log.AppendAsync(APermit($"req-{i}"), CancellationToken.None)).ToList();
        foreach (var append in failing)
        {
            var failure = await Should.ThrowAsync<DisclosureLogUnavailableException>(() => append);
            failure.Message.ShouldNotContain("sv-1001");
        }

        (await log.ReadAllAsync()).Count.ShouldBe(3);

        store.FailCommits(false);
        var after = await log.Log.AppendAsync(APermit("req-after"), CancellationToken.None);
        after.Sequence.ShouldBe(4);
        after.PreviousHash.ShouldBe(before.Single(e => e.Sequence == 3).Hash);
        var stored = await log.ReadAllAsync();
        stored.Select(e => e.RequestId).ShouldBe(["req-1", "req-2", "req-3", "req-after"], ignoreOrder: true);
        DisclosureChain.FirstBreak(stored).ShouldBeNull();
    }

    [Fact]
    public async Task FailedCommit_WhileTheNextBatchIsChained_ChainsItAgainFromTheLastCommittedEntry()
    {
        var store = new StoreSwitch();
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), store);
        var writer = (DisclosureLogWriter)log.Log;
        var before = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => log.Log.AppendAsync(APermit($"req-{i}"), CancellationToken.None)));
        var third = before.Single(e => e.Sequence == 3);

        // Batch N (one entry, 4) commits and will fail; meanwhile batch N+1 is sequenced 5..14 and chained onto it.
        var reached = store.Hold();
        store.FailNextCommit();
        var failing = log.Log.AppendAsync(APermit("req-failing"), CancellationToken.None);
        await reached;
        var next = Enumerable.Range(1, 10).Select(i => log.Log.AppendAsync(APermit($"req-next-{i}"), CancellationToken.None)).ToList();
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (writer.ChainedAhead < 10)
            {
                await Task.Delay(5, patience.Token);
            }
        }

        store.Release();

        await Should.ThrowAsync<DisclosureLogUnavailableException>(() => failing);
        var committed = await Task.WhenAll(next);
        committed.Select(e => e.Sequence).Order().ShouldBe(Enumerable.Range(4, 10).Select(i => (long)i));
        committed.Single(e => e.Sequence == 4).PreviousHash.ShouldBe(third.Hash);
        var stored = await log.ReadAllAsync();
        stored.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, 13).Select(i => (long)i));
        stored.Select(e => e.RequestId).ShouldNotContain("req-failing");
        DisclosureChain.FirstBreak(stored).ShouldBeNull();
        foreach (var entry in committed)
        {
            stored[(int)entry.Sequence - 1].Hash.ShouldBe(entry.Hash);
        }

        // The chain goes on from what is durable.
        var after = await log.Log.AppendAsync(APermit("req-after"), CancellationToken.None);
        after.Sequence.ShouldBe(14);
        after.PreviousHash.ShouldBe(stored[^1].Hash);
    }

    [Fact]
    public async Task LargeBatch_IsStoredWhole_AndReadsBackThroughEfAsAppended()
    {
        var store = new StoreSwitch();
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), store);
        var reached = store.Hold();
        var first = log.Log.AppendAsync(APermit("req-0"), CancellationToken.None);
        await reached;

        // 103 entries queue behind the held commit and go in together: one transaction, one prepared insert reused.
        var drafts = Enumerable.Range(1, 103).Select(i => i % 7 == 0
            ? ADeny($"req-{i}") with { UserId = $"user-{i}", BreakGlass = true }
            : APermit($"req-{i}", survivorId: $"sv-{i % 5}")).ToList();
        var appends = drafts.Select(draft => log.Log.AppendAsync(draft, CancellationToken.None)).ToList();
        store.Release();
        await first;
        var appended = await Task.WhenAll(appends);

        var stored = await log.ReadAllAsync();
        stored.Count.ShouldBe(104);
        DisclosureChain.FirstBreak(stored).ShouldBeNull();
        foreach (var entry in appended)
        {
            var same = stored[(int)entry.Sequence - 1];
            (same.RequestId, same.UserId, same.SurvivorId, same.Decision, same.BreakGlass, same.Hash)
                .ShouldBe((entry.RequestId, entry.UserId, entry.SurvivorId, entry.Decision, entry.BreakGlass, entry.Hash));
            same.ResourceIds.ShouldBe(entry.ResourceIds);
            same.Basis.ShouldBe(entry.Basis);
            same.RecordedAt.ShouldBe(entry.RecordedAt);
        }
    }

    [Fact]
    public async Task Restart_OnTheSameDatabase_ContinuesTheChain()
    {
        var file = DisclosureLogHost.NewDatabaseFile();
        await using (var first = await DisclosureLogHost.StartAsync(file))
        {
            await Task.WhenAll(Enumerable.Range(1, 10).Select(i => first.Log.AppendAsync(APermit($"req-{i}"), CancellationToken.None)));
        }

        await using var second = await DisclosureLogHost.StartAsync(file);
        var continued = await second.Log.AppendAsync(APermit("req-11"), CancellationToken.None);

        continued.Sequence.ShouldBe(11);
        var stored = await second.ReadAllAsync();
        stored.Count.ShouldBe(11);
        continued.PreviousHash.ShouldBe(stored[9].Hash);
        DisclosureChain.FirstBreak(stored).ShouldBeNull();
    }

    [Fact]
    public async Task CallerWhoStopsWaiting_DoesNotDropOthersEntries()
    {
        var store = new StoreSwitch();
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), store);
        var reached = store.Hold();
        var first = log.Log.AppendAsync(APermit("req-0"), CancellationToken.None);
        await reached;

        // While the first commit is held, 63 more queue up; one of them gives up waiting.
        using var impatient = new CancellationTokenSource();
        var others = Enumerable.Range(1, 62).Select(i => log.Log.AppendAsync(APermit($"req-{i}"), CancellationToken.None)).ToList();
        var cancelled = log.Log.AppendAsync(APermit("req-impatient"), impatient.Token);
        await impatient.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => cancelled);
        store.Release();

        await first;
        var committed = await Task.WhenAll(others);
        committed.Length.ShouldBe(62);
        var stored = await log.ReadAllAsync();
        // The impatient caller's decision was already queued, so it is still recorded: the log never under-records.
        stored.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, 64).Select(i => (long)i));
        stored.Select(e => e.RequestId).ShouldContain("req-impatient");
        committed.Select(e => e.RequestId).ShouldAllBe(id => stored.Any(e => e.RequestId == id));
        DisclosureChain.FirstBreak(stored).ShouldBeNull();
    }

    [Fact]
    public async Task FullQueue_MakesCallersWait_AndOneWhoGivesUpThereIsNotRecorded()
    {
        var store = new StoreSwitch();
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile(), store, queueCapacity: 1);
        var reached = store.Hold();
        var inCommit = log.Log.AppendAsync(APermit("req-1"), CancellationToken.None);
        await reached;
        var queued = log.Log.AppendAsync(APermit("req-2"), CancellationToken.None);

        using var giveUp = new CancellationTokenSource();
        var waitingForRoom = log.Log.AppendAsync(APermit("req-3"), giveUp.Token);
        await Task.Delay(50);
        waitingForRoom.IsCompleted.ShouldBeFalse();
        await giveUp.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => waitingForRoom);
        store.Release();

        (await inCommit).Sequence.ShouldBe(1);
        (await queued).Sequence.ShouldBe(2);
        (await log.ReadAllAsync()).Select(e => e.RequestId).ShouldBe(["req-1", "req-2"]);
    }

    [Fact]
    public async Task AlreadyCancelledAppend_RecordsNothing()
    {
        await using var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile());
        await Should.ThrowAsync<OperationCanceledException>(() => log.Log.AppendAsync(APermit("req-1"), new CancellationToken(canceled: true)));
        (await log.ReadAllAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task StoppedLog_RefusesAppends()
    {
        var log = await DisclosureLogHost.StartAsync(DisclosureLogHost.NewDatabaseFile());
        var writer = log.Log;
        await log.DisposeAsync();
        await Should.ThrowAsync<DisclosureLogUnavailableException>(() => writer.AppendAsync(APermit("req-1"), CancellationToken.None));
    }

    /// <summary>The canonical encoding and hash of <c>APermit("req-1")</c> at sequence 1, 2026-01-01T00:00:00.123Z.</summary>
    private static class KnownVector
    {
        public const string Encoding =
            "0100000000000000010000019b76daa87b000000106e6f727468736964652d636c696e69630000000d6e6f727468736964652d656872000000000773762d31303031"
            + "0000000b4f62736572766174696f6e00000002000000056f62732d31000000056f62732d320000000554524541540100000002010000002430313932663661302d"
            + "303030302d373030302d383030302d303030303030303030303031020000002430313932663661302d303030302d373030302d383030302d303030303030303030"
            + "30303200000005302e312e30000000057265712d3100";
        public const string Hash = "7c89c1379fbb503805cd771412c36ff2e761156d9a631a763597f7e9d043ebf7";
    }
}

/// <summary>The log is registered in the API itself and writes to the API's database.</summary>
public sealed class DisclosureLogApiTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Api_RegistersTheLog_AndItAppendsToTheApiDatabase()
    {
        var log = api.Services.GetRequiredService<IDisclosureLog>();
        var draft = new DisclosureDraft("northside-clinic", "northside-ehr", "user-7", "sv-1001", "Patient", ["pt-1"], "TREAT",
            DisclosureDecision.Permit, [DisclosureBasis.Grant(Guid.CreateVersion7())], "0.1.0", "req-api-1");

        var entry = await log.AppendAsync(draft, CancellationToken.None);

        entry.Sequence.ShouldBeGreaterThanOrEqualTo(1);
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Storage.ConsentDb>();
        var stored = await db.Disclosures.AsNoTracking().SingleAsync(e => e.RequestId == "req-api-1");
        stored.Hash.ShouldBe(entry.Hash);
        stored.UserId.ShouldBe("user-7");
        var journal = await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync();
        journal.Single().ShouldBe("wal");
    }

    [Fact]
    public async Task EveryWrite_WaitsForTheFilesWriteTurn_TheLogsWriterToo_AndGoesOnWhenItIsGivenBack()
    {
        await using var holderScope = api.Services.CreateAsyncScope();
        var turn = await SqliteWriteTurn.TakeAsync(holderScope.ServiceProvider.GetRequiredService<Storage.ConsentDb>(), CancellationToken.None);
        turn.ShouldNotBeNull();

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Storage.ConsentDb>();
        db.Survivors.Add(new Survivors.Survivor("sv-write-turn", "harbor-house", "en", null, null, "test", DateTimeOffset.UtcNow));
        var saving = db.SaveChangesAsync();
        var appending = api.Services.GetRequiredService<IDisclosureLog>().AppendAsync(new DisclosureDraft("northside-clinic", "northside-ehr", null,
            "sv-1001", "Patient", ["pt-turn"], "TREAT", DisclosureDecision.Permit, [DisclosureBasis.Grant(Guid.CreateVersion7())], "0.1.0", "req-turn"), CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        saving.IsCompleted.ShouldBeFalse();
        appending.IsCompleted.ShouldBeFalse();

        turn.Dispose();
        (await saving.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(1);
        (await appending.WaitAsync(TimeSpan.FromSeconds(30))).RequestId.ShouldBe("req-turn");
        await using var check = api.Services.CreateAsyncScope();
        (await check.ServiceProvider.GetRequiredService<Storage.ConsentDb>().Survivors.AnyAsync(v => v.Id == "sv-write-turn")).ShouldBeTrue();
    }

    [Fact]
    public async Task AWriteInsideAnOpenTransaction_DoesNotTakeTheTurnAgain()
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Storage.ConsentDb>();
        using (await SqliteWriteTurn.TakeAsync(db, CancellationToken.None))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Survivors.Add(new Survivors.Survivor("sv-write-turn-nested", "harbor-house", "en", null, null, "test", DateTimeOffset.UtcNow));
            (await db.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(1);
            await transaction.CommitAsync();
        }
    }

    [Fact]
    public async Task Api_GivesEveryConnection_TheLogsCheckpointThreshold_AndABusyTimeout_NotSqlitesDefaults()
    {
        // SQLite's defaults are a checkpoint at 1000 pages and no busy timeout, per connection: a grant or a FHIR write on
        // a pooled connection would then run the checkpoint of the log's WAL inside its own request, and wait for the
        // writer's lock in the data provider's 150-ms sleeps. Several contexts at once, so several pooled connections.
        var pages = api.Services.GetRequiredService<IOptions<DisclosureLogOptions>>().Value.CheckpointPages;
        pages.ShouldNotBe(1000);
        var scopes = Enumerable.Range(0, 3).Select(_ => api.Services.CreateAsyncScope()).ToList();
        try
        {
            foreach (var scope in scopes)
            {
                var db = scope.ServiceProvider.GetRequiredService<Storage.ConsentDb>();
                await db.Database.OpenConnectionAsync();
                var threshold = await db.Database.SqlQueryRaw<long>("PRAGMA wal_autocheckpoint").ToListAsync();
                threshold.Single().ShouldBe(pages);
                var busyTimeout = await db.Database.SqlQueryRaw<long>("PRAGMA busy_timeout").ToListAsync();
                busyTimeout.Single().ShouldBe(((SqliteConnection)db.Database.GetDbConnection()).DefaultTimeout * 1000L);
                busyTimeout.Single().ShouldBeGreaterThan(0);
            }
        }
        finally
        {
            foreach (var scope in scopes)
            {
                await scope.DisposeAsync();
            }
        }
    }
}
