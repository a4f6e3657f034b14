using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Consent.Cli;
using Consent.Log.Merkle;
using Consent.Log.TreeHeads;
using Consent.Log.Verification;
using Microsoft.Data.Sqlite;

namespace Consent.Api.Tests;

/// <summary>
/// A log written by the real API: 42 FHIR reads with real tokens, the tree built by the API's integrator, heads signed
/// by a compliance officer after 30 and after 42 reads. The API is then stopped and its database file kept, with the
/// public key as <c>/.well-known/disclosure-log-keys</c> served it and the private key file from the data directory.
/// </summary>
public sealed class RealLogCopy : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("consent-real-log-").FullName;

    public string Pristine => Path.Combine(directory, "pristine.db");

    /// <summary>The key set JSON served at /.well-known/disclosure-log-keys.</summary>
    public string KeySet { get; private set; } = "";

    /// <summary>The API's tree head signing key (PKCS#8 PEM), read from its data directory.</summary>
    public string PrivateKeyPem { get; private set; } = "";

    /// <summary>The heads the compliance officer's POSTs answered, in order.</summary>
    public List<TreeHead> Heads { get; } = [];

    public long LogSize { get; private set; }

    public async Task InitializeAsync()
    {
        var api = new ApiHost();
        try
        {
            await RealDisclosures.MakeAsync(api, 30);
            Heads.Add(TreeHeadJson.Parse((await RealDisclosures.SignHeadAsync(api)).GetRawText()));
            LogSize = await RealDisclosures.MakeAsync(api, 12);
            Heads.Add(TreeHeadJson.Parse((await RealDisclosures.SignHeadAsync(api)).GetRawText()));
            KeySet = await (await api.Parties.Anonymous().GetAsync("/.well-known/disclosure-log-keys")).Content.ReadAsStringAsync();
            PrivateKeyPem = await File.ReadAllTextAsync(Path.Combine(api.DataDirectory, "keys", "disclosure-log-signing.pem"));
        }
        finally
        {
            await api.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }

        // Stopped: every connection closed, so the WAL is checkpointed into the file (copied too if one is left).
        var database = Path.Combine(api.DataDirectory, "consent.db");
        File.Copy(database, Pristine);
        if (File.Exists(database + "-wal"))
        {
            File.Copy(database + "-wal", Pristine + "-wal");
        }
    }

    /// <summary>A fresh copy of the file for one test to change.</summary>
    public string Copy()
    {
        var copy = Path.Combine(directory, Guid.NewGuid().ToString("n") + ".db");
        File.Copy(Pristine, copy);
        if (File.Exists(Pristine + "-wal"))
        {
            File.Copy(Pristine + "-wal", copy + "-wal");
        }

        return copy;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The log verifier and <c>consent verify-log</c> against a database the real API wrote, trusting only the public key the
/// API published: the untouched file holds; each change made in the file behind the API's back is found, with the
/// expected first failure.
/// </summary>
public sealed class RealLogTamperTests(RealLogCopy log) : IClassFixture<RealLogCopy>
{
    private LogVerificationResult Verify(string file, params TrustedTreeHead[] heads) =>
        LogVerifier.VerifyFile(file, new LogVerifierOptions { TrustedKeys = LogPublicKeys.Parse(log.KeySet), TrustedHeads = heads });

    [Fact]
    public void Untouched_Holds_WithOnlyThePublishedKey()
    {
        log.Heads.Count.ShouldBeGreaterThanOrEqualTo(2);
        LogPublicKeys.Parse(log.KeySet).ShouldHaveSingleItem();
        var result = Verify(log.Copy(), log.Heads.Select((h, i) => new TrustedTreeHead($"saved-{i + 1}", h)).ToArray());

        result.Holds.ShouldBeTrue(string.Join("; ", result.Failures.Select(f => f.Message)));
        result.LogSize.ShouldBe(log.LogSize);
        result.EntriesChecked.ShouldBe(log.LogSize);
        result.TreeSize.ShouldBe(log.LogSize);
        result.HeadsChecked.ShouldBeGreaterThanOrEqualTo(2);
        result.TrustedHeadsChecked.ShouldBe(2);
    }

    [Fact]
    public void OneFieldOfOneEntryChanged_IsAHashMismatchAtThatEntry()
    {
        var file = log.Copy();
        using (var tamper = new Tamperer(file))
        {
            tamper.Execute("UPDATE DisclosureLog SET RecipientAgencyId = 'bridge-legal' WHERE Sequence = 17").ShouldBe(1);
        }

        ShouldFirstFail(Verify(file), LogFailureKind.HashMismatch, sequence: 17);
    }

    [Fact]
    public void AnEntryDeleted_IsASequenceGapAtIt()
    {
        var file = log.Copy();
        using (var tamper = new Tamperer(file))
        {
            tamper.Execute("DELETE FROM DisclosureLog WHERE Sequence = 23").ShouldBe(1);
        }

        ShouldFirstFail(Verify(file), LogFailureKind.SequenceGap, sequence: 23);
    }

    [Fact]
    public void AForgedEntryInserted_WithTheChainRecomputedAfterIt_IsFoundByTheTree()
    {
        var file = log.Copy();
        using (var tamper = new Tamperer(file))
        {
            InsertForged(tamper, after: 11);
            Rechain(tamper, from: 12);
        }

        // Every entry's hash and chain hold now; the tree row of leaf 11 still holds the entry that was there.
        var result = Verify(file);
        ShouldFirstFail(result, LogFailureKind.TreeNode, sequence: 12);
        result.Failures.ShouldNotContain(f => f.Kind == LogFailureKind.HashMismatch || f.Kind == LogFailureKind.Chain);
    }

    [Fact]
    public void AForgedEntryInserted_WithChainAndTreeRecomputed_IsAForkOfTheSignedHeads()
    {
        var file = log.Copy();
        using (var tamper = new Tamperer(file))
        {
            InsertForged(tamper, after: 11);
            Rechain(tamper, from: 12);
            RebuildTree(tamper);
        }

        // Only the signatures are left to give it away: every head covering entry 12 is signed over another root.
        var result = Verify(file);
        result.Holds.ShouldBeFalse();
        result.Failures.ShouldAllBe(f => f.Kind == LogFailureKind.Fork);
        result.FirstFailure!.HeadId.ShouldNotBeNull();
        result.FirstFailure.Sequence.ShouldBeNull();
    }

    [Fact]
    public void TwoEntriesSwapped_IsAChainBreakAtTheFirst()
    {
        var file = log.Copy();
        using (var tamper = new Tamperer(file))
        {
            // Everything but the sequence numbers trades places: entry 20 now stands where 8 stood and the other way round.
            tamper.Execute("""
                CREATE TEMP TABLE swap AS SELECT * FROM DisclosureLog WHERE Sequence IN (8, 20);
                UPDATE DisclosureLog SET (RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds, PurposeOfUse,
                    Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash) =
                  (SELECT RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds, PurposeOfUse,
                    Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash
                   FROM temp.swap s WHERE s.Sequence = 28 - DisclosureLog.Sequence)
                WHERE Sequence IN (8, 20);
                """).ShouldBe(2);
        }

        var result = Verify(file);
        ShouldFirstFail(result, LogFailureKind.Chain, sequence: 8);
        result.Failures.ShouldContain(f => f.Sequence == 20);
    }

    [Fact]
    public void ATreeRowChanged_IsATreeNodeFailureAtItsEntry()
    {
        var file = log.Copy();
        using (var tamper = new Tamperer(file))
        {
            // Leaf 13 (entry 14) holds its leaf hash and the hash of leaves 12-13; the upper one is changed.
            tamper.Execute("UPDATE DisclosureTree SET Hashes = substr(Hashes, 1, 32) || randomblob(32) WHERE LeafIndex = 13").ShouldBe(1);
        }

        ShouldFirstFail(Verify(file), LogFailureKind.TreeNode, sequence: 14);
    }

    [Fact]
    public void ASplitView_ASecondHeadSignedWithTheRealKeyOverAnotherRoot_IsAFork()
    {
        var first = log.Heads[0];
        using var key = ECDsa.Create();
        key.ImportFromPem(log.PrivateKeyPem);
        var otherRoot = SHA256.HashData(Encoding.UTF8.GetBytes("another history"));
        var split = new TreeHead(first.TreeSize, first.Timestamp + 1, otherRoot, first.KeyId,
            TreeHeadSignature.Sign(key, first.Timestamp + 1, first.TreeSize, otherRoot));
        TreeHeadSignature.Verify(LogPublicKeys.Parse(log.KeySet)[0], split).ShouldBeTrue();

        var result = Verify(log.Copy(), new TrustedTreeHead("split.json", split));
        ShouldFirstFail(result, LogFailureKind.Fork, sequence: null);
        result.FirstFailure!.TrustedHead.ShouldBe("split.json");
        result.FirstFailure.Expected.ShouldBe(Convert.ToHexStringLower(first.RootHash));
        result.FirstFailure.Found.ShouldBe(Convert.ToHexStringLower(otherRoot));
        result.FailureCount.ShouldBe(1);
    }

    [Fact]
    public async Task VerifyLogCommand_ExitsZeroOnTheUntouchedFile_AndThreeOnAChangedOne()
    {
        var keys = Path.Combine(Path.GetDirectoryName(log.Pristine)!, Guid.NewGuid().ToString("n") + ".json");
        await File.WriteAllTextAsync(keys, log.KeySet);

        var (exit, output, error) = await RunAsync("verify-log", "--database", log.Copy(), "--public-key", keys);
        exit.ShouldBe(ExitCodes.Ok, output + error);
        output.ShouldContain("The log verifies");

        var file = log.Copy();
        using (var tamper = new Tamperer(file))
        {
            tamper.Execute("UPDATE DisclosureLog SET PurposeOfUse = 'HRESCH' WHERE Sequence = 5").ShouldBe(1);
        }

        (exit, output, error) = await RunAsync("verify-log", "--database", file, "--public-key", keys);
        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("First failure: hash mismatch at entry 5");
        output.ShouldNotContain("HRESCH");
        output.ShouldNotContain("sv-1001");
    }

    // --- rewriting a row through INSERT's conflict clauses, with the triggers in place (no DROP TRIGGER) ---

    [Theory]
    [InlineData("REPLACE INTO")]
    [InlineData("INSERT OR REPLACE INTO")]
    public void AnEntryRewrittenByReplace_IsRefusedByTheDatabase(string verb)
    {
        var file = log.Copy();
        var before = PlainRows(file, "SELECT * FROM DisclosureLog WHERE Sequence = 17").Single();

        var refused = RefusedByTrigger(file, $"""
            {verb} DisclosureLog (Sequence, RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash)
            SELECT Sequence, RecordedAt, 'bridge-legal', ClientId, UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash
            FROM DisclosureLog WHERE Sequence = 17
            """);

        refused.Message.ShouldContain("DisclosureLog is append-only");
        PlainRows(file, "SELECT * FROM DisclosureLog WHERE Sequence = 17").Single().ShouldBe(before);
        PlainRows(file, "SELECT count(*) FROM DisclosureLog").Single()[0].ShouldBe(log.LogSize);
        Verify(file).Holds.ShouldBeTrue();
    }

    [Fact]
    public void AnEntryRewrittenByUpsert_IsRefusedByTheDatabase()
    {
        var file = log.Copy();

        var refused = RefusedByTrigger(file, """
            INSERT INTO DisclosureLog (Sequence, RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash)
            SELECT Sequence, RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash
            FROM DisclosureLog WHERE Sequence = 5
            ON CONFLICT (Sequence) DO UPDATE SET PurposeOfUse = 'HRESCH'
            """);

        refused.Message.ShouldContain("DisclosureLog is append-only");
        PlainRows(file, "SELECT count(*) FROM DisclosureLog WHERE PurposeOfUse = 'HRESCH'").Single()[0].ShouldBe(0L);
        Verify(file).Holds.ShouldBeTrue();
    }

    [Fact]
    public void AnUpsert_WithOnlyTheInsertTriggersDropped_IsStillRefusedByTheUpdateTrigger()
    {
        var file = log.Copy();
        using (var connection = OpenPlain(file))
        {
            using var drop = connection.CreateCommand();
            drop.CommandText = """DROP TRIGGER "DisclosureLog_NoReplace" """;
            drop.ExecuteNonQuery();
        }

        var refused = RefusedByTrigger(file, """
            INSERT INTO DisclosureLog (Sequence, RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash)
            SELECT Sequence, RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash
            FROM DisclosureLog WHERE Sequence = 5
            ON CONFLICT (Sequence) DO UPDATE SET PurposeOfUse = 'HRESCH'
            """);

        refused.Message.ShouldContain("append-only: UPDATE refused");
        Verify(file).Holds.ShouldBeTrue();
    }

    [Theory]
    [InlineData("REPLACE INTO DisclosureTree (LeafIndex, Hashes) SELECT LeafIndex, substr(Hashes, 1, 32) || randomblob(32) FROM DisclosureTree WHERE LeafIndex = 13", "DisclosureTree")]
    [InlineData("INSERT OR REPLACE INTO DisclosureTreeHeads SELECT Id, TreeSize, Timestamp, randomblob(32), KeyId, Signature FROM DisclosureTreeHeads ORDER BY Id LIMIT 1", "DisclosureTreeHeads")]
    [InlineData("REPLACE INTO DisclosureLogKeys (KeyId, PublicKey, CreatedAt) SELECT KeyId, randomblob(91), CreatedAt FROM DisclosureLogKeys", "DisclosureLogKeys")]
    public void ATreeRowHeadOrKeyRewrittenByReplace_IsRefusedByTheDatabase(string sql, string table)
    {
        var file = log.Copy();
        var before = PlainRows(file, $"SELECT * FROM {table} ORDER BY 1");

        var refused = RefusedByTrigger(file, sql);

        refused.Message.ShouldContain($"{table} is append-only");
        PlainRows(file, $"SELECT * FROM {table} ORDER BY 1").ShouldBe(before);
        Verify(file, log.Heads.Select((h, i) => new TrustedTreeHead($"saved-{i + 1}", h)).ToArray()).Holds.ShouldBeTrue();
    }

    [Fact]
    public async Task VerifyLogCommand_ExitsZero_AfterTheReplacesWereRefused()
    {
        var keys = Path.Combine(Path.GetDirectoryName(log.Pristine)!, Guid.NewGuid().ToString("n") + ".json");
        await File.WriteAllTextAsync(keys, log.KeySet);
        var file = log.Copy();
        RefusedByTrigger(file, "REPLACE INTO DisclosureLog SELECT * FROM DisclosureLog WHERE Sequence = 1");
        RefusedByTrigger(file, "REPLACE INTO DisclosureTree SELECT * FROM DisclosureTree WHERE LeafIndex = 0");

        var (exit, output, error) = await RunAsync("verify-log", "--database", file, "--public-key", keys);

        exit.ShouldBe(ExitCodes.Ok, output + error);
        output.ShouldContain("The log verifies");
    }

    /// <summary>Runs <paramref name="sql"/> on a plain connection to the file, as someone with the file and a shell would.</summary>
    private static SqliteException RefusedByTrigger(string file, string sql)
    {
        using var connection = OpenPlain(file);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Should.Throw<SqliteException>(() => command.ExecuteNonQuery());
    }

    private static List<object[]> PlainRows(string file, string sql)
    {
        using var connection = OpenPlain(file);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object[]>();
        while (reader.Read())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    private static SqliteConnection OpenPlain(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Runs the <c>consent</c> command in-process; its exit code, output and errors.</summary>
    internal static async Task<(int, string, string)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ConsentCli.RunAsync(args, CliOutput.ForWriters(output, error));
        return (exit, output.ToString(), error.ToString());
    }

    private static void ShouldFirstFail(LogVerificationResult result, LogFailureKind kind, long? sequence)
    {
        result.Holds.ShouldBeFalse();
        var first = result.FirstFailure.ShouldNotBeNull();
        first.Kind.ShouldBe(kind, first.Message);
        first.Sequence.ShouldBe(sequence, first.Message);
    }

    /// <summary>A copy of entry <paramref name="after"/> for another recipient, inserted after it; the entries behind it move up one.</summary>
    private static void InsertForged(Tamperer tamper, long after)
    {
        tamper.Execute("UPDATE DisclosureLog SET Sequence = -(Sequence + 1) WHERE Sequence > $after", ("$after", after));
        tamper.Execute("UPDATE DisclosureLog SET Sequence = -Sequence WHERE Sequence < 0");
        tamper.Execute("""
            INSERT INTO DisclosureLog (Sequence, RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, PreviousHash, Hash)
            SELECT Sequence + 1, RecordedAt, 'bridge-legal', 'bridge-legal-system', UserId, SurvivorId, ResourceType, ResourceIds,
                PurposeOfUse, Decision, Basis, PolicyVersion, RequestId, BreakGlass, Hash, Hash
            FROM DisclosureLog WHERE Sequence = $after
            """, ("$after", after)).ShouldBe(1);
    }

    /// <summary>Recomputes the chain from <paramref name="from"/> on, as the writer would have: each hash over the entry's encoding and the hash before.</summary>
    private static void Rechain(Tamperer tamper, long from)
    {
        var previous = tamper.Scalar<string>("SELECT Hash FROM DisclosureLog WHERE Sequence = $s", ("$s", from - 1));
        var rows = tamper.Rows("""
            SELECT Sequence, RecordedAt, RecipientAgencyId, ClientId, UserId, SurvivorId, ResourceType, ResourceIds, PurposeOfUse,
                Decision, Basis, PolicyVersion, RequestId, BreakGlass
            FROM DisclosureLog WHERE Sequence >= $from ORDER BY Sequence
            """, ("$from", from));
        foreach (var row in rows)
        {
            static byte[] Utf8(object value) => Encoding.UTF8.GetBytes((string)value);
            var entry = new StoredEntry
            {
                Sequence = (long)row[0], RecordedAt = (long)row[1], RecipientAgencyId = Utf8(row[2]), ClientId = Utf8(row[3]),
                HasUserId = row[4] is string, UserId = row[4] is string user ? Utf8(user) : [], SurvivorId = Utf8(row[5]),
                ResourceType = Utf8(row[6]), ResourceIds = Utf8(row[7]), PurposeOfUse = Utf8(row[8]), Decision = Utf8(row[9]),
                Basis = Utf8(row[10]), PolicyVersion = Utf8(row[11]), RequestId = Utf8(row[12]), BreakGlass = (long)row[13],
            };
            var hash = Convert.ToHexStringLower(MerkleHash.LeafHash([.. StoredEntryEncoding.Encode(entry), .. Convert.FromHexString(previous)]));
            tamper.Execute("UPDATE DisclosureLog SET PreviousHash = $previous, Hash = $hash WHERE Sequence = $s",
                ("$previous", previous), ("$hash", hash), ("$s", (long)row[0])).ShouldBe(1);
            previous = hash;
        }
    }

    /// <summary>Rewrites every tree row from the entries' hashes, in the contract's layout.</summary>
    private static void RebuildTree(Tamperer tamper)
    {
        var size = tamper.Scalar<long>("SELECT count(*) FROM DisclosureTree");
        var tree = new MemorySubtreeHashes();
        foreach (var row in tamper.Rows("SELECT Hash FROM DisclosureLog WHERE Sequence <= $size ORDER BY Sequence", ("$size", size)))
        {
            tree.AppendLeafHash(Convert.FromHexString((string)row[0]));
        }

        tamper.Execute("DELETE FROM DisclosureTree");
        for (long leaf = 0; leaf < size; leaf++)
        {
            var levels = 1 + (int)long.TrailingZeroCount(~leaf);
            var hashes = new byte[levels * MerkleHash.Size];
            for (var level = 0; level < levels; level++)
            {
                tree.CopySubtreeHash(leaf + 1 - (1L << level), level, hashes.AsSpan(level * MerkleHash.Size, MerkleHash.Size));
            }

            tamper.Execute("INSERT INTO DisclosureTree (LeafIndex, Hashes) VALUES ($leaf, $hashes)", ("$leaf", leaf), ("$hashes", hashes));
        }
    }
}
