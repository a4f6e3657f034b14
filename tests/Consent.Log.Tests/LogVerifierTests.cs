using System.Security.Cryptography;
using Consent.Log.Merkle;
using Consent.Log.Testing;
using Consent.Log.TreeHeads;
using Consent.Log.Verification;
using Microsoft.Data.Sqlite;

namespace Consent.Log.Tests;

/// <summary>
/// The verifier's joining of chunks: small chunk sizes make a small log span many chunks, so the chain across chunk
/// edges, tree levels above a chunk and roots at sizes inside chunks are all exercised, and must give the same
/// answers as one chunk.
/// </summary>
public sealed class LogVerifierTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("log-verifier-").FullName;
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        key.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(64)]
    [InlineData(77)]
    [InlineData(100)]
    public void AnHonestLog_Verifies_AtEveryChunkSize(int entries)
    {
        var (file, heads) = Build(entries, headEvery: 5, lag: 3);

        foreach (var level in new[] { 0, 1, 2, 3, 16 })
        {
            foreach (var parallelism in new[] { 1, 2 })
            {
                var result = LogVerifier.VerifyFile(file, new LogVerifierOptions { ChunkLevel = level, MaxParallelism = parallelism });

                result.Failures.ShouldBeEmpty($"chunk level {level}, parallelism {parallelism}");
                result.EntriesChecked.ShouldBe(entries);
                result.LogSize.ShouldBe(entries);
                result.TreeSize.ShouldBe(Math.Max(0, entries - 3));
                result.HeadsChecked.ShouldBe(heads.Count);
            }
        }
    }

    [Fact]
    public void RootsAtHeadSizes_AreTheRfcRoots()
    {
        // The writer signs its own frontier's root; check it against MerkleTree's root of the same leaves.
        var path = Path.Combine(directory, "roots.db");
        var leaves = new MemorySubtreeHashes();
        using (var writer = new LogDatabaseWriter(path, key))
        {
            for (var i = 0; i < 45; i++)
            {
                leaves.AppendLeafHash(writer.Append(SampleEntries.Make(i)));
                writer.Root().ShouldBe(MerkleTree.RootHash(leaves, i + 1));
            }
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(16, 1)]
    public void FirstFailure_IsTheSame_WhateverTheChunks(int level, int parallelism)
    {
        var (file, _) = Build(70, headEvery: 10, lag: 0);
        Tamper(file, """UPDATE "DisclosureLog" SET "PurposeOfUse" = 'HOPERAT' WHERE "Sequence" = 33""");

        var result = LogVerifier.VerifyFile(file, new LogVerifierOptions { ChunkLevel = level, MaxParallelism = parallelism });

        result.FirstFailure.ShouldNotBeNull();
        result.FirstFailure.Kind.ShouldBe(LogFailureKind.HashMismatch);
        result.FirstFailure.Sequence.ShouldBe(33);
        // Every tree row above leaf 32 and every head from size 33 on disagree with the entries now.
        result.Failures.ShouldContain(f => f.Kind == LogFailureKind.TreeNode && f.Sequence == 33);
        result.Failures.Where(f => f.HeadId is not null).Select(f => f.Kind).Distinct().ShouldBe([LogFailureKind.Fork]);
        result.Failures.Count(f => f.HeadId is not null).ShouldBe(4); // heads of sizes 40, 50, 60, 70
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ASwapAcrossAChunkEdge_BreaksTheChainThere(int level)
    {
        var (file, _) = Build(40, headEvery: 0, lag: 0);
        // Entries 8 and 9 are leaves 7 and 8: the last of one chunk and the first of the next.
        Tamper(file, """
            UPDATE "DisclosureLog" SET "Sequence" = -1 WHERE "Sequence" = 8;
            UPDATE "DisclosureLog" SET "Sequence" = 8 WHERE "Sequence" = 9;
            UPDATE "DisclosureLog" SET "Sequence" = 9 WHERE "Sequence" = -1;
            """);

        var result = LogVerifier.VerifyFile(file, new LogVerifierOptions { ChunkLevel = level, MaxParallelism = 2 });

        result.FirstFailure!.Kind.ShouldBe(LogFailureKind.Chain);
        result.FirstFailure.Sequence.ShouldBe(8);
    }

    [Fact]
    public void AnAlteredTreeHash_AboveTheChunkLevel_IsFoundWhenChunksAreJoined()
    {
        var (file, _) = Build(40, headEvery: 0, lag: 0);
        // Leaf 31's row holds levels 0 to 5; with chunks of 4 leaves, levels 3 to 5 span chunks.
        Tamper(file, """UPDATE "DisclosureTree" SET "Hashes" = substr("Hashes", 1, 160) || zeroblob(32) WHERE "LeafIndex" = 31""");

        var result = LogVerifier.VerifyFile(file, new LogVerifierOptions { ChunkLevel = 2, MaxParallelism = 2 });

        result.FailureCount.ShouldBe(1);
        result.FirstFailure!.Kind.ShouldBe(LogFailureKind.TreeNode);
        result.FirstFailure.Sequence.ShouldBe(32);
        result.FirstFailure.Message.ShouldContain("level 5");
    }

    [Fact]
    public void ProgressReports_ReachTheLogSize()
    {
        var (file, _) = Build(50, headEvery: 0, lag: 0);
        var reports = new List<long>();
        long? size = null;

        LogVerifier.VerifyFile(file, new LogVerifierOptions
        {
            ChunkLevel = 3,
            MaxParallelism = 1,
            Progress = new Collect(reports),
            LogSizeKnown = s => size = s,
        }).Holds.ShouldBeTrue();

        size.ShouldBe(50);
        reports.Max().ShouldBe(50);
    }

    [Fact]
    public void AnOpenConnection_IsVerifiedOnItsOwn()
    {
        var (file, _) = Build(30, headEvery: 7, lag: 2);
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly");
        connection.Open();

        var result = LogVerifier.Verify(connection, new LogVerifierOptions { ChunkLevel = 2 });

        result.Holds.ShouldBeTrue();
        result.EntriesChecked.ShouldBe(30);
    }

    [Fact]
    public void HeadsOutOfOrder_MissingOrAboveTheLog_AreTreeHeadOrderFailures()
    {
        var file = Path.Combine(directory, "order.db");
        using (var writer = new LogDatabaseWriter(file, key))
        {
            for (var i = 0; i < 20; i++)
            {
                writer.Append(SampleEntries.Make(i));
                if (i + 1 is 10 or 20)
                {
                    writer.SignHead(1_767_225_600_000 + i);
                }
            }

            // Head 3: an older size after a newer one (validly signed, right root), then head 4 above the log's size.
            writer.StoreHead(Signed(10, 1_767_225_700_000, RootOf(file, writer, 10)));
            writer.StoreHead(Signed(25, 1_767_225_800_000, RandomNumberGenerator.GetBytes(32)));
        }

        var result = LogVerifier.VerifyFile(file);

        result.Failures.Select(f => (f.Kind, f.HeadId)).ShouldBe([(LogFailureKind.TreeHeadOrder, 3L), (LogFailureKind.Fork, 4L)]);
        result.Failures[1].Message.ShouldContain("only 20 entries");
    }

    [Fact]
    public void ADatabaseWithoutTheTreeTables_IsReported_AndItsChainStillChecked()
    {
        var (file, _) = Build(12, headEvery: 0, lag: 0);
        Tamper(file, """
            DROP TABLE "DisclosureTree"; DROP TABLE "DisclosureTreeHeads"; DROP TABLE "DisclosureLogKeys";
            UPDATE "DisclosureLog" SET "RequestId" = 'changed' WHERE "Sequence" = 9;
            """);

        var result = LogVerifier.VerifyFile(file);

        result.Failures.Count(f => f.Kind == LogFailureKind.MissingTable).ShouldBe(3);
        result.Failures.Single(f => f.Kind != LogFailureKind.MissingTable).ShouldSatisfyAllConditions(
            f => f.Kind.ShouldBe(LogFailureKind.HashMismatch),
            f => f.Sequence.ShouldBe(9));
    }

    [Fact]
    public async Task ALogBeingAppendedAndCheckpointed_Verifies()
    {
        // Entries committed to the WAL and copied into the database file while the chunks are read, each in a read
        // transaction of its own.
        var file = Path.Combine(directory, "live.db");
        using var writer = new LogDatabaseWriter(file, key);
        for (var i = 0; i < 3000; i++)
        {
            writer.Append(SampleEntries.Make(i));
        }

        writer.SignHead(1_767_225_600_000);
        writer.Commit();
        using var stop = new CancellationTokenSource();
        var appending = Task.Run(() =>
        {
            using var checkpointer = new SqliteConnection($"Data Source={file};Pooling=False");
            checkpointer.Open();
            using var checkpoint = checkpointer.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            for (var i = 3000; !stop.IsCancellationRequested && i < 200_000; i++)
            {
                writer.Append(SampleEntries.Make(i));
                if (i % 20 == 0)
                {
                    writer.Commit();
                    checkpoint.ExecuteNonQuery();
                }
            }

            writer.Commit();
        });

        try
        {
            for (var round = 0; round < 5; round++)
            {
                var result = LogVerifier.VerifyFile(file, new LogVerifierOptions { ChunkLevel = 7, MaxParallelism = 2 });

                result.Failures.ShouldBeEmpty($"round {round}");
                result.EntriesChecked.ShouldBeGreaterThanOrEqualTo(3000);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await appending;
        }
    }

    [Fact]
    public void AFileThatIsNotALog_IsUnusable()
    {
        var file = Path.Combine(directory, "other.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE Other (Id INTEGER)";
            create.ExecuteNonQuery();
        }

        Should.Throw<LogDatabaseException>(() => LogVerifier.VerifyFile(file)).Message.ShouldContain("no disclosure log");
        Should.Throw<LogDatabaseException>(() => LogVerifier.VerifyFile(Path.Combine(directory, "missing.db")));
    }

    private TreeHead Signed(long size, long timestamp, byte[] root) =>
        new(size, timestamp, root, TreeHeadSignature.KeyIdOf(key.ExportSubjectPublicKeyInfo()), TreeHeadSignature.Sign(key, timestamp, size, root));

    private static byte[] RootOf(string file, LogDatabaseWriter writer, long size)
    {
        writer.Commit();
        var leaves = new MemorySubtreeHashes();
        using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""SELECT "Hash" FROM "DisclosureLog" WHERE "Sequence" <= {size} ORDER BY "Sequence" """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            leaves.AppendLeafHash(Convert.FromHexString(reader.GetString(0)));
        }

        return MerkleTree.RootHash(leaves, size);
    }

    private (string File, List<TreeHead> Heads) Build(int entries, int headEvery, int lag)
    {
        var file = Path.Combine(directory, Guid.NewGuid().ToString("n") + ".db");
        var heads = new List<TreeHead>();
        using var writer = new LogDatabaseWriter(file, key);
        for (var i = 0; i < entries; i++)
        {
            writer.Append(SampleEntries.Make(i, unusualText: true), integrate: i < entries - lag);
            if (headEvery > 0 && (i + 1) % headEvery == 0 && i < entries - lag)
            {
                heads.Add(writer.SignHead(1_767_225_600_000 + i));
            }
        }

        return (file, heads);
    }

    private static void Tamper(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            DROP TRIGGER "DisclosureLog_NoUpdate"; DROP TRIGGER "DisclosureLog_NoDelete";
            DROP TRIGGER "DisclosureTree_NoUpdate"; DROP TRIGGER "DisclosureTree_NoDelete";
            """ + sql;
        command.ExecuteNonQuery();
    }

    private sealed class Collect(List<long> reports) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
