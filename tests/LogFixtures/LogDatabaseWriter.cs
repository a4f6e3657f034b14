using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Consent.Log.Merkle;
using Consent.Log.TreeHeads;
using Consent.Log.Verification;
using Microsoft.Data.Sqlite;

namespace Consent.Log.Testing;

/// <summary>One entry to write, with its columns as the API stores them (lists as JSON, a basis as Kind:id).</summary>
public sealed record LogRow(
    long RecordedAt, string RecipientAgencyId, string ClientId, string? UserId, string SurvivorId, string ResourceType,
    IReadOnlyList<string> ResourceIds, string PurposeOfUse, string Decision, IReadOnlyList<string> Basis,
    string PolicyVersion, string RequestId, bool BreakGlass);

/// <summary>
/// Writes a disclosure log database in the storage contract's schema (docs/disclosure-log.md, "Tree storage, signed
/// tree heads and keys"), with the append-only triggers: entries chained through the verifier's encoder, the tree
/// rows of every leaf, the log's key and signed tree heads. For tests and benchmarks of the verifier.
/// </summary>
public sealed class LogDatabaseWriter : IDisposable
{
    public const string Schema =
        """
        CREATE TABLE "DisclosureLog" (
            "Sequence" INTEGER NOT NULL CONSTRAINT "PK_DisclosureLog" PRIMARY KEY,
            "RecordedAt" INTEGER NOT NULL, "RecipientAgencyId" TEXT NOT NULL, "ClientId" TEXT NOT NULL, "UserId" TEXT NULL,
            "SurvivorId" TEXT NOT NULL, "ResourceType" TEXT NOT NULL, "ResourceIds" TEXT NOT NULL, "PurposeOfUse" TEXT NOT NULL,
            "Decision" TEXT NOT NULL, "Basis" TEXT NOT NULL, "PolicyVersion" TEXT NOT NULL, "RequestId" TEXT NOT NULL,
            "BreakGlass" INTEGER NOT NULL, "PreviousHash" TEXT NOT NULL, "Hash" TEXT NOT NULL);
        CREATE INDEX "IX_DisclosureLog_RecipientAgencyId_Sequence" ON "DisclosureLog" ("RecipientAgencyId", "Sequence");
        CREATE INDEX "IX_DisclosureLog_RecordedAt" ON "DisclosureLog" ("RecordedAt");
        CREATE INDEX "IX_DisclosureLog_RequestId" ON "DisclosureLog" ("RequestId");
        CREATE INDEX "IX_DisclosureLog_SurvivorId_Sequence" ON "DisclosureLog" ("SurvivorId", "Sequence");
        CREATE TABLE "DisclosureTree" ("LeafIndex" INTEGER NOT NULL CONSTRAINT "PK_DisclosureTree" PRIMARY KEY, "Hashes" BLOB NOT NULL);
        CREATE TABLE "DisclosureTreeHeads" (
            "Id" INTEGER NOT NULL CONSTRAINT "PK_DisclosureTreeHeads" PRIMARY KEY, "TreeSize" INTEGER NOT NULL,
            "Timestamp" INTEGER NOT NULL, "RootHash" BLOB NOT NULL, "KeyId" TEXT NOT NULL, "Signature" BLOB NOT NULL);
        CREATE TABLE "DisclosureLogKeys" ("KeyId" TEXT NOT NULL CONSTRAINT "PK_DisclosureLogKeys" PRIMARY KEY, "PublicKey" BLOB NOT NULL, "CreatedAt" INTEGER NOT NULL);
        """;

    private static readonly string[] AppendOnlyTables = ["DisclosureLog", "DisclosureTree", "DisclosureTreeHeads", "DisclosureLogKeys"];

    private readonly SqliteConnection connection;
    private readonly SqliteCommand insertEntry;
    private readonly SqliteCommand insertTree;
    private readonly List<byte[]?> frontier = []; // frontier[k]: the complete subtree of level k awaiting its sibling
    private SqliteTransaction? transaction;
    private byte[] previous = new byte[MerkleHash.Size];
    private long headId;

    public LogDatabaseWriter(string path, ECDsa key, long keyCreatedAt = 1_767_225_600_000)
    {
        Key = key;
        connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
        Execute(Schema);
        foreach (var table in AppendOnlyTables)
        {
            Execute($"""
                CREATE TRIGGER "{table}_NoUpdate" BEFORE UPDATE ON "{table}" BEGIN SELECT RAISE(ABORT, 'append-only'); END;
                CREATE TRIGGER "{table}_NoDelete" BEFORE DELETE ON "{table}" BEGIN SELECT RAISE(ABORT, 'append-only'); END;
                """);
        }

        using (var insertKey = connection.CreateCommand())
        {
            insertKey.CommandText = """INSERT INTO "DisclosureLogKeys" VALUES ($id, $key, $at)""";
            insertKey.Parameters.AddWithValue("$id", KeyId);
            insertKey.Parameters.AddWithValue("$key", SubjectPublicKeyInfo);
            insertKey.Parameters.AddWithValue("$at", keyCreatedAt);
            insertKey.ExecuteNonQuery();
        }

        insertEntry = connection.CreateCommand();
        insertEntry.CommandText = """INSERT INTO "DisclosureLog" VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15)""";
        for (var i = 0; i < 16; i++)
        {
            insertEntry.Parameters.Add(new SqliteParameter("$p" + i, null));
        }

        insertTree = connection.CreateCommand();
        insertTree.CommandText = """INSERT INTO "DisclosureTree" VALUES ($leaf, $hashes)""";
        insertTree.Parameters.Add(new SqliteParameter("$leaf", null));
        insertTree.Parameters.Add(new SqliteParameter("$hashes", null));
    }

    public ECDsa Key { get; }

    public byte[] SubjectPublicKeyInfo => Key.ExportSubjectPublicKeyInfo();

    public string KeyId => TreeHeadSignature.KeyIdOf(SubjectPublicKeyInfo);

    /// <summary>Entries written so far.</summary>
    public long Size { get; private set; }

    /// <summary>Leaves integrated in the tree so far (may lag <see cref="Size"/>).</summary>
    public long TreeSize { get; private set; }

    /// <summary>The leaf input (encoding ‖ previous hash) of the entry appended last.</summary>
    public byte[] LastLeafInput { get; private set; } = [];

    /// <summary>Hashes of entries written but not yet integrated into the tree.</summary>
    private readonly Queue<byte[]> unintegrated = new();

    /// <summary>Appends an entry (and, unless <paramref name="integrate"/> is false, its tree row); returns its hash.</summary>
    public byte[] Append(LogRow row, bool integrate = true)
    {
        transaction ??= connection.BeginTransaction();
        var sequence = Size + 1;
        var resourceIds = JsonSerializer.Serialize(row.ResourceIds);
        var basis = JsonSerializer.Serialize(row.Basis);
        LastLeafInput = LeafInput(sequence, row, resourceIds, basis, previous);
        var hash = MerkleHash.LeafHash(LastLeafInput);
        object?[] values =
        [
            sequence, row.RecordedAt, row.RecipientAgencyId, row.ClientId, row.UserId, row.SurvivorId, row.ResourceType,
            resourceIds, row.PurposeOfUse, row.Decision, basis, row.PolicyVersion, row.RequestId, row.BreakGlass ? 1 : 0,
            Convert.ToHexStringLower(previous), Convert.ToHexStringLower(hash),
        ];
        insertEntry.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            insertEntry.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        insertEntry.ExecuteNonQuery();
        previous = hash;
        Size = sequence;
        unintegrated.Enqueue(hash);
        if (integrate)
        {
            Integrate();
        }

        return hash;
    }

    /// <summary>Writes the tree rows of every entry not yet in the tree.</summary>
    public void Integrate()
    {
        transaction ??= connection.BeginTransaction();
        insertTree.Transaction = transaction;
        while (unintegrated.TryDequeue(out var leafHash))
        {
            var leaf = TreeSize;
            using var hashes = new MemoryStream();
            hashes.Write(leafHash);
            var node = leafHash;
            var level = 0;
            for (; ((leaf >> level) & 1) == 1; level++)
            {
                node = MerkleHash.NodeHash(frontier[level]!, node);
                frontier[level] = null;
                hashes.Write(node);
            }

            while (frontier.Count <= level)
            {
                frontier.Add(null);
            }

            frontier[level] = node;
            insertTree.Parameters[0].Value = leaf;
            insertTree.Parameters[1].Value = hashes.ToArray();
            insertTree.ExecuteNonQuery();
            TreeSize = leaf + 1;
        }
    }

    /// <summary>The root of the tree as integrated so far.</summary>
    public byte[] Root()
    {
        byte[]? root = null;
        foreach (var subtree in frontier)
        {
            if (subtree is not null)
            {
                root = root is null ? subtree : MerkleHash.NodeHash(subtree, root);
            }
        }

        return root ?? MerkleHash.EmptyRoot.ToArray();
    }

    /// <summary>Signs a head over the integrated tree and stores it; returns it.</summary>
    public TreeHead SignHead(long timestamp)
    {
        var root = Root();
        var head = new TreeHead(TreeSize, timestamp, root, KeyId, TreeHeadSignature.Sign(Key, timestamp, TreeSize, root));
        StoreHead(head);
        return head;
    }

    /// <summary>Stores a head as it is (whatever it claims).</summary>
    public void StoreHead(TreeHead head)
    {
        transaction ??= connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """INSERT INTO "DisclosureTreeHeads" VALUES ($id, $size, $at, $root, $kid, $sig)""";
        insert.Parameters.AddWithValue("$id", ++headId);
        insert.Parameters.AddWithValue("$size", head.TreeSize);
        insert.Parameters.AddWithValue("$at", head.Timestamp);
        insert.Parameters.AddWithValue("$root", head.RootHash);
        insert.Parameters.AddWithValue("$kid", head.KeyId);
        insert.Parameters.AddWithValue("$sig", head.Signature);
        insert.ExecuteNonQuery();
    }

    public void Commit()
    {
        transaction?.Commit();
        transaction?.Dispose();
        transaction = null;
    }

    public void Dispose()
    {
        Commit();
        insertEntry.Dispose();
        insertTree.Dispose();
        connection.Dispose();
    }

    /// <summary>An entry's hash through the verifier's encoder: SHA-256(0x00 ‖ encoding ‖ previous hash).</summary>
    public static byte[] Hash(long sequence, LogRow row, string resourceIdsJson, string basisJson, ReadOnlySpan<byte> previousHash) =>
        MerkleHash.LeafHash(LeafInput(sequence, row, resourceIdsJson, basisJson, previousHash));

    /// <summary>An entry's leaf input through the verifier's encoder: encoding ‖ previous hash.</summary>
    public static byte[] LeafInput(long sequence, LogRow row, string resourceIdsJson, string basisJson, ReadOnlySpan<byte> previousHash)
    {
        var encoding = StoredEntryEncoding.Encode(new StoredEntry
        {
            Sequence = sequence,
            RecordedAt = row.RecordedAt,
            RecipientAgencyId = Encoding.UTF8.GetBytes(row.RecipientAgencyId),
            ClientId = Encoding.UTF8.GetBytes(row.ClientId),
            HasUserId = row.UserId is not null,
            UserId = row.UserId is null ? [] : Encoding.UTF8.GetBytes(row.UserId),
            SurvivorId = Encoding.UTF8.GetBytes(row.SurvivorId),
            ResourceType = Encoding.UTF8.GetBytes(row.ResourceType),
            ResourceIds = Encoding.UTF8.GetBytes(resourceIdsJson),
            PurposeOfUse = Encoding.UTF8.GetBytes(row.PurposeOfUse),
            Decision = Encoding.UTF8.GetBytes(row.Decision),
            Basis = Encoding.UTF8.GetBytes(basisJson),
            PolicyVersion = Encoding.UTF8.GetBytes(row.PolicyVersion),
            RequestId = Encoding.UTF8.GetBytes(row.RequestId),
            BreakGlass = row.BreakGlass ? 1 : 0,
        });
        var input = new byte[encoding.Length + MerkleHash.Size];
        encoding.CopyTo(input, 0);
        previousHash.CopyTo(input.AsSpan(encoding.Length));
        return input;
    }

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
