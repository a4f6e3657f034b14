using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Consent.Log.Testing;
using Consent.Log.TreeHeads;
using Microsoft.Data.Sqlite;

namespace Consent.Cli.Tests;

/// <summary>
/// <c>consent verify-log</c> against a log database written in the storage contract's schema and then tampered
/// with directly in the file, past the triggers: each change must be found, as the right first failure.
/// </summary>
public sealed class VerifyLogTests : IDisposable
{
    // 40 entries; the tree integrates 37 of them; heads 1-4 at sizes 10, 20, 30, 37.
    private const int Entries = 40;
    private const int Integrated = 37;
    private static readonly long[] HeadSizes = [10, 20, 30, 37];

    private readonly TempDirectory directory = new();
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string database;

    public VerifyLogTests()
    {
        database = directory.File("consent.db");
        Write(database, Enumerable.Range(0, Entries).Select(i => SampleEntries.Make(i)).ToList());
    }

    public void Dispose()
    {
        key.Dispose();
        SqliteConnection.ClearAllPools();
        directory.Dispose();
    }

    [Fact]
    public async Task AnUntouchedLog_Verifies_WithExitCode0()
    {
        var (exitCode, output, error) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.Ok, error + output);
        output.ShouldContain("The log verifies");
        output.ShouldContain("Entries checked");
        output.ShouldContain("40");
        output.ShouldContain("37");
    }

    [Fact]
    public async Task AChangedField_IsAHashMismatch_AtThatEntry()
    {
        Tamper("""UPDATE "DisclosureLog" SET "PurposeOfUse" = 'HOPERAT' WHERE "Sequence" = 17""");

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: hash mismatch at entry 17");
        output.ShouldContain("does NOT verify");
    }

    [Fact]
    public async Task ADeletedEntry_IsASequenceGap_AtThatEntry()
    {
        Tamper("""DELETE FROM "DisclosureLog" WHERE "Sequence" = 17""");

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: sequence gap at entry 17");
    }

    [Fact]
    public async Task AnInsertedEntry_WithTheLaterEntriesRenumbered_DoesNotMatchTheTree_AtThatEntry()
    {
        // The inserted row is chained onto entry 16 with a correct hash; the entries after it are only renumbered.
        var inserted = SampleEntries.Make(1000);
        var resourceIds = System.Text.Json.JsonSerializer.Serialize(inserted.ResourceIds);
        var basis = System.Text.Json.JsonSerializer.Serialize(inserted.Basis);
        var previous = Convert.FromHexString(Scalar("""SELECT "Hash" FROM "DisclosureLog" WHERE "Sequence" = 16"""));
        var hash = Convert.ToHexStringLower(LogDatabaseWriter.Hash(17, inserted, resourceIds, basis, previous));
        Tamper($"""
            UPDATE "DisclosureLog" SET "Sequence" = -"Sequence" WHERE "Sequence" >= 17;
            UPDATE "DisclosureLog" SET "Sequence" = 1 - "Sequence" WHERE "Sequence" < 0;
            INSERT INTO "DisclosureLog" VALUES (17, {inserted.RecordedAt}, '{inserted.RecipientAgencyId}', '{inserted.ClientId}',
                {(inserted.UserId is null ? "NULL" : $"'{inserted.UserId}'")}, '{inserted.SurvivorId}', '{inserted.ResourceType}',
                '{resourceIds.Replace("'", "''", StringComparison.Ordinal)}', '{inserted.PurposeOfUse}', '{inserted.Decision}',
                '{basis}', '{inserted.PolicyVersion}', '{inserted.RequestId}', {(inserted.BreakGlass ? 1 : 0)},
                '{Convert.ToHexStringLower(previous)}', '{hash}');
            """);

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: tree node at entry 17");
        output.ShouldContain("chain at entry 18");
    }

    [Fact]
    public async Task AnInsertedEntry_WithTheChainAndTreeRewritten_IsAForkAgainstTheSignedHeads()
    {
        // Everything an attacker without the log's private key can redo: chain, hashes, tree rows; the signed heads stay.
        var rows = Enumerable.Range(0, Entries).Select(i => SampleEntries.Make(i)).ToList();
        rows.Insert(16, SampleEntries.Make(1000));
        var rewritten = directory.File("rewritten.db");
        Write(rewritten, rows, signHeads: false);
        using (var connection = Open(rewritten))
        using (var copy = connection.CreateCommand())
        {
            copy.CommandText = $"""
                ATTACH DATABASE '{database}' AS original;
                INSERT INTO "DisclosureTreeHeads" SELECT * FROM original."DisclosureTreeHeads";
                DETACH DATABASE original;
                """;
            copy.ExecuteNonQuery();
        }

        var (exitCode, output, _) = await Cli.RunAsync("verify-log", "--database", rewritten);

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: fork (split view) at tree head 2");
        output.ShouldNotContain("at tree head 1");
        NoSurvivorIds(output);
    }

    [Fact]
    public async Task TwoSwappedEntries_BreakTheChain_AtTheFirst()
    {
        Tamper("""
            UPDATE "DisclosureLog" SET "Sequence" = -1 WHERE "Sequence" = 20;
            UPDATE "DisclosureLog" SET "Sequence" = 20 WHERE "Sequence" = 21;
            UPDATE "DisclosureLog" SET "Sequence" = 21 WHERE "Sequence" = -1;
            """);

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: chain at entry 20");
    }

    [Fact]
    public async Task AnAlteredTreeRow_IsATreeNodeFailure_AtItsLeaf()
    {
        // Leaf 11 holds its leaf hash and the subtrees of levels 1 and 2 ending there: change the level-2 hash.
        Tamper("""UPDATE "DisclosureTree" SET "Hashes" = substr("Hashes", 1, 64) || randomblob(32) WHERE "LeafIndex" = 11""");

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: tree node at entry 12");
        output.ShouldContain("level 2");
    }

    [Fact]
    public async Task AMissingTreeRow_IsATreeNodeFailure()
    {
        Tamper("""DELETE FROM "DisclosureTree" WHERE "LeafIndex" = 5""");

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: tree node at entry 6: The tree has no row for leaf 5");
    }

    [Fact]
    public async Task AnAlteredHeadRoot_IsATreeHeadRootFailure()
    {
        Tamper("""UPDATE "DisclosureTreeHeads" SET "RootHash" = randomblob(32) WHERE "Id" = 2""");

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: tree head root at tree head 2");
    }

    [Fact]
    public async Task ABrokenHeadSignature_IsATreeHeadSignatureFailure()
    {
        var signature = (byte[])ScalarObject("""SELECT "Signature" FROM "DisclosureTreeHeads" WHERE "Id" = 2""")!;
        signature[^5] ^= 0x01;
        Tamper($"""UPDATE "DisclosureTreeHeads" SET "Signature" = X'{Convert.ToHexString(signature)}' WHERE "Id" = 2""");

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: tree head signature at tree head 2");
    }

    [Fact]
    public async Task AHeadSignedWithTheRealKey_OverAnotherRoot_IsAFork()
    {
        var forked = Signed(37, 1_767_225_700_000, RandomNumberGenerator.GetBytes(32));
        using (var connection = Open(database))
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """INSERT INTO "DisclosureTreeHeads" VALUES (5, $size, $at, $root, $kid, $sig)""";
            insert.Parameters.AddWithValue("$size", forked.TreeSize);
            insert.Parameters.AddWithValue("$at", forked.Timestamp);
            insert.Parameters.AddWithValue("$root", forked.RootHash);
            insert.Parameters.AddWithValue("$kid", forked.KeyId);
            insert.Parameters.AddWithValue("$sig", forked.Signature);
            insert.ExecuteNonQuery();
        }

        var (exitCode, output, _) = await VerifyAsync();

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: fork (split view) at tree head 5");
    }

    [Fact]
    public async Task ASavedHeadSignedWithTheRealKey_OverAnotherRoot_IsAFork()
    {
        var file = directory.File("forked.json");
        await File.WriteAllTextAsync(file, TreeHeadJson.Write(Signed(25, 1_767_225_700_000, RandomNumberGenerator.GetBytes(32))));

        var (exitCode, output, _) = await VerifyAsync("--tree-head", file);

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: fork (split view) at saved tree head forked.json");
    }

    [Fact]
    public async Task ASavedHonestHead_AndTheLogKey_AsPemOrKeySet_Verify()
    {
        var head = directory.File("head.json");
        await File.WriteAllTextAsync(head, TreeHeadJson.Write(Signed(37, 1_767_225_700_000, RootAt(37))));
        var pem = directory.File("log-key.pem");
        await File.WriteAllTextAsync(pem, key.ExportSubjectPublicKeyInfoPem());
        var jwks = directory.File("disclosure-log-keys.json");
        await File.WriteAllTextAsync(jwks, KeySet(key, withSpki: false));

        var withPem = await VerifyAsync("--tree-head", head, "--public-key", pem);
        var withKeySet = await VerifyAsync("--public-key", jwks);

        withPem.ExitCode.ShouldBe(ExitCodes.Ok, withPem.Out + withPem.Error);
        withPem.Out.ShouldContain("1 supplied");
        withKeySet.ExitCode.ShouldBe(ExitCodes.Ok, withKeySet.Out + withKeySet.Error);
    }

    [Fact]
    public async Task AnotherTrustedKey_MakesEveryHeadsKeyUnknown()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwks = directory.File("other-keys.json");
        await File.WriteAllTextAsync(jwks, KeySet(other, withSpki: true));

        var (exitCode, output, _) = await VerifyAsync("--public-key", jwks);

        exitCode.ShouldBe(ExitCodes.LogDoesNotVerify);
        output.ShouldContain("First failure: tree head signature at tree head 1");
        output.ShouldContain("not a trusted key");
    }

    [Fact]
    public async Task AMissingFile_OrAFileThatIsNotALog_IsUnusableInput()
    {
        var text = directory.File("notes.txt");
        await File.WriteAllTextAsync(text, "not a database");
        var empty = directory.File("empty.db");
        using (var connection = Open(empty))
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE Something (Id INTEGER)";
            create.ExecuteNonQuery();
        }

        var missing = await Cli.RunAsync("verify-log", "--database", directory.File("nothing-here.db"));
        var notSqlite = await Cli.RunAsync("verify-log", "--database", text);
        var notALog = await Cli.RunAsync("verify-log", "--database", empty);
        var badKey = await Cli.RunAsync("verify-log", "--database", database, "--public-key", text);

        missing.ExitCode.ShouldBe(ExitCodes.Failed);
        missing.Error.ShouldContain("no database file");
        notSqlite.ExitCode.ShouldBe(ExitCodes.Failed);
        notALog.ExitCode.ShouldBe(ExitCodes.Failed);
        notALog.Error.ShouldContain("no disclosure log");
        badKey.ExitCode.ShouldBe(ExitCodes.Failed);
        badKey.Error.ShouldContain("public key");
    }

    [Fact]
    public async Task AFileAndAConnectionAtOnce_IsAUsageError_AndAConnectionStringThatIsNotOne_IsUnusableInput()
    {
        var both = await Cli.RunAsync("verify-log", "--database", database, "--connection", "Host=db;Database=consent");
        var malformed = await Cli.RunAsync("verify-log", "--connection", "Hots=db;Password=secret-word");

        both.ExitCode.ShouldBe(ExitCodes.Usage);
        both.Error.ShouldContain("--database or --connection, not both");
        malformed.ExitCode.ShouldBe(ExitCodes.Failed);
        malformed.Error.ShouldContain("--connection is not a PostgreSQL connection string");
        malformed.Error.ShouldNotContain("secret-word");
    }

    private async Task<(int ExitCode, string Out, string Error)> VerifyAsync(params string[] more)
    {
        var result = await Cli.RunAsync(["verify-log", "--database", database, .. more]);
        NoSurvivorIds(result.Out + result.Error);
        return result;
    }

    private static void NoSurvivorIds(string output) => output.ShouldNotContain("sv-");

    private void Write(string path, List<LogRow> rows, bool signHeads = true)
    {
        using var writer = new LogDatabaseWriter(path, key);
        for (var i = 0; i < rows.Count; i++)
        {
            writer.Append(rows[i], integrate: i < rows.Count - (Entries - Integrated));
            if (signHeads && HeadSizes.Contains(writer.TreeSize) && writer.TreeSize == i + 1)
            {
                writer.SignHead(1_767_225_600_000 + i * 1000);
            }
        }
    }

    private byte[] RootAt(long size)
    {
        var leaves = new Consent.Log.Merkle.MemorySubtreeHashes();
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = $"""SELECT "Hash" FROM "DisclosureLog" WHERE "Sequence" <= {size} ORDER BY "Sequence" """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            leaves.AppendLeafHash(Convert.FromHexString(reader.GetString(0)));
        }

        return Consent.Log.Merkle.MerkleTree.RootHash(leaves, size);
    }

    private TreeHead Signed(long size, long timestamp, byte[] root) =>
        new(size, timestamp, root, TreeHeadSignature.KeyIdOf(key.ExportSubjectPublicKeyInfo()), TreeHeadSignature.Sign(key, timestamp, size, root));

    private static string KeySet(ECDsa key, bool withSpki)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var spki = key.ExportSubjectPublicKeyInfo();
        var jwk = new JsonObject
        {
            ["kid"] = TreeHeadSignature.KeyIdOf(spki),
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url(parameters.Q.X!),
            ["y"] = Base64Url(parameters.Q.Y!),
            ["alg"] = "ES256",
            ["use"] = "sig",
            ["createdAt"] = 1_767_225_600_000,
        };
        if (withSpki)
        {
            jwk["spki"] = Convert.ToBase64String(spki);
        }

        return new JsonObject { ["keys"] = new JsonArray(jwk) }.ToJsonString();
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private void Tamper(string sql)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = """
            DROP TRIGGER "DisclosureLog_NoUpdate"; DROP TRIGGER "DisclosureLog_NoDelete";
            DROP TRIGGER "DisclosureTree_NoUpdate"; DROP TRIGGER "DisclosureTree_NoDelete";
            DROP TRIGGER "DisclosureTreeHeads_NoUpdate"; DROP TRIGGER "DisclosureTreeHeads_NoDelete";
            """ + sql;
        command.ExecuteNonQuery();
    }

    private string Scalar(string sql) => (string)ScalarObject(sql)!;

    private object? ScalarObject(string sql)
    {
        using var connection = Open(database);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }
}
