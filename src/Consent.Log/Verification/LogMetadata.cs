using System.Data.Common;
using Consent.Log.TreeHeads;
using Microsoft.Data.Sqlite;

namespace Consent.Log.Verification;

/// <summary>A row of <c>DisclosureTreeHeads</c>.</summary>
internal sealed record StoredHead(long Id, TreeHead Head);

/// <summary>
/// What is read before the entries stream: that the database holds a log, the log's and the tree's sizes, the
/// stored tree heads (few) and keys. Entries and tree rows below these sizes never change (append-only), so chunks
/// read later on other connections see the same rows even while the API appends.
/// </summary>
internal sealed class LogMetadata
{
    private static readonly string[] TreeTables = ["DisclosureTree", "DisclosureTreeHeads", "DisclosureLogKeys"];

    public long LogSize { get; private init; }

    public long TreeSize { get; private init; }

    public IReadOnlyList<StoredHead> Heads { get; private init; } = [];

    public IReadOnlyList<byte[]> StoredKeys { get; private init; } = [];

    public static LogMetadata Read(DbConnection connection, Action<LogFailure> fail)
    {
        try
        {
            var tables = new HashSet<string>(StringComparer.Ordinal);
            // SQLite's tables, or PostgreSQL's in the schema the connection's search path names first.
            var sqlite = connection is SqliteConnection;
            using (var command = Command(connection, sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()"))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            if (!tables.Contains("DisclosureLog"))
            {
                throw new LogDatabaseException("The database holds no disclosure log (no DisclosureLog table).");
            }

            // PostgreSQL's texts reach the verifier as strings, encoded to UTF-8 as the API encoded them.
            if (sqlite && Scalar(connection, "PRAGMA encoding") is not "UTF-8")
            {
                throw new LogDatabaseException("The database's text encoding is not UTF-8, which the log's encoding is read in.");
            }

            foreach (var missing in TreeTables.Where(t => !tables.Contains(t)))
            {
                fail(new LogFailure(LogFailureKind.MissingTable, 0, null, null,
                    $"The database has no {missing} table: the tree or its signed heads cannot be checked."));
            }

            var (minSequence, maxSequence) = Range(connection, "DisclosureLog", "Sequence");
            if (minSequence < 1 && maxSequence >= minSequence)
            {
                fail(new LogFailure(LogFailureKind.SequenceGap, minSequence, null, null,
                    $"An entry has sequence number {minSequence}: sequence numbers start at 1."));
            }

            long treeSize = 0;
            if (tables.Contains("DisclosureTree"))
            {
                var (minLeaf, maxLeaf) = Range(connection, "DisclosureTree", "LeafIndex");
                treeSize = maxLeaf + 1;
                if (minLeaf < 0 && maxLeaf >= minLeaf)
                {
                    fail(new LogFailure(LogFailureKind.TreeNode, 0, null, null, $"The tree has a row for leaf {minLeaf}: leaves start at 0."));
                }

                if (treeSize > Math.Max(maxSequence, 0))
                {
                    fail(new LogFailure(LogFailureKind.TreeNode, Math.Max(maxSequence, 0) + 1, null, null,
                        $"The tree has {treeSize} leaves, more than the log's {Math.Max(maxSequence, 0)} entries."));
                    treeSize = Math.Max(maxSequence, 0);
                }
            }

            return new LogMetadata
            {
                LogSize = Math.Max(maxSequence, 0),
                TreeSize = Math.Max(treeSize, 0),
                Heads = tables.Contains("DisclosureTreeHeads") ? ReadHeads(connection) : [],
                StoredKeys = tables.Contains("DisclosureLogKeys") ? ReadKeys(connection) : [],
            };
        }
        catch (DbException e)
        {
            throw new LogDatabaseException($"The database cannot be read as a disclosure log: {e.Message}", e);
        }
        catch (InvalidCastException e)
        {
            throw new LogDatabaseException($"The database's log tables do not have the expected columns: {e.Message}", e);
        }
    }

    private static List<StoredHead> ReadHeads(DbConnection connection)
    {
        var heads = new List<StoredHead>();
        using var command = Command(connection,
            """SELECT "Id", "TreeSize", "Timestamp", "RootHash", "KeyId", "Signature" FROM "DisclosureTreeHeads" ORDER BY "Id" """);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            heads.Add(new StoredHead(reader.GetInt64(0), new TreeHead(
                reader.GetInt64(1), reader.GetInt64(2), (byte[])reader.GetValue(3), reader.GetString(4), (byte[])reader.GetValue(5))));
        }

        return heads;
    }

    private static List<byte[]> ReadKeys(DbConnection connection)
    {
        var keys = new List<byte[]>();
        using var command = Command(connection, """SELECT "PublicKey" FROM "DisclosureLogKeys" ORDER BY "CreatedAt" """);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            keys.Add((byte[])reader.GetValue(0));
        }

        return keys;
    }

    /// <summary>
    /// The smallest and largest key, or (0, -1) for an empty table. Two queries: SQLite answers MIN or MAX of a
    /// primary key from one end of the tree, but scans the whole table for both in one query.
    /// </summary>
    private static (long Min, long Max) Range(DbConnection connection, string table, string key)
    {
        var min = Scalar(connection, $"""SELECT MIN("{key}") FROM "{table}" """);
        var max = Scalar(connection, $"""SELECT MAX("{key}") FROM "{table}" """);
        return min is long first && max is long last ? (first, last) : (0, -1);
    }

    private static object? Scalar(DbConnection connection, string sql)
    {
        using var command = Command(connection, sql);
        return command.ExecuteScalar();
    }

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
