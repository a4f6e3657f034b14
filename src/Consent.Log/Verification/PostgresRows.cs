using System.Text;
using Npgsql;

namespace Consent.Log.Verification;

/// <summary>
/// The log's rows in a PostgreSQL database, streamed (Npgsql reads a result as it arrives, a row at a time). The
/// columns are read the way PostgreSQL stores them: lists of ids are <c>text[]</c>, given to the verifier as the JSON
/// text <c>array_to_json</c> makes of them (what SQLite stores); break glass is a boolean; instants are bigint Unix
/// milliseconds as on SQLite. Npgsql reads one result at a time per connection, so the entries and the tree rows,
/// read side by side, have a connection each.
/// </summary>
internal sealed class PostgresRowSource : ILogRowSource<PostgresRows>
{
    private const string EntrySql =
        """
        SELECT "Sequence", "RecordedAt", "RecipientAgencyId", "ClientId", "UserId", "SurvivorId", "ResourceType",
               array_to_json("ResourceIds")::text, "PurposeOfUse", "Decision", array_to_json("Basis")::text, "PolicyVersion",
               "RequestId", "BreakGlass", "PreviousHash", "Hash"
        FROM "DisclosureLog" WHERE "Sequence" > $1 AND "Sequence" <= $2 ORDER BY "Sequence"
        """;

    private const string TreeSql =
        """SELECT "LeafIndex", "Hashes" FROM "DisclosureTree" WHERE "LeafIndex" >= $1 AND "LeafIndex" < $2 ORDER BY "LeafIndex" """;

    private readonly NpgsqlConnection entries;
    private readonly NpgsqlConnection tree;
    private readonly PostgresRowBuffer entryRow = new();
    private readonly PostgresRowBuffer treeRow = new();

    public PostgresRowSource(NpgsqlDataSource dataSource)
    {
        entries = Open(dataSource);
        try
        {
            tree = Open(dataSource);
        }
        catch
        {
            entries.Dispose();
            throw;
        }
    }

    public PostgresRows Entries(long start, long end) => Query(entries, EntrySql, start, end, entryRow, "DisclosureLog");

    public PostgresRows Tree(long start, long end) => Query(tree, TreeSql, start, end, treeRow, "DisclosureTree");

    public void Dispose()
    {
        entries.Dispose();
        tree.Dispose();
    }

    /// <summary>The verifier's connections to the database: read-only sessions (every transaction read-only).</summary>
    /// <exception cref="LogDatabaseException">The connection string is not one.</exception>
    public static NpgsqlDataSource DataSource(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();
            return NpgsqlDataSource.Create(builder);
        }
        catch (ArgumentException e)
        {
            throw new LogDatabaseException($"The PostgreSQL connection string is not valid: {e.Message}", e);
        }
    }

    /// <exception cref="LogDatabaseException">The server cannot be reached or refuses the connection.</exception>
    public static NpgsqlConnection Open(NpgsqlDataSource dataSource)
    {
        try
        {
            return dataSource.OpenConnection();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            throw new LogDatabaseException($"The database cannot be opened: {e.Message}", e);
        }
    }

    private static PostgresRows Query(NpgsqlConnection connection, string sql, long from, long to, PostgresRowBuffer row, string table)
    {
        var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = from }, new() { Value = to } } };
        try
        {
            return new PostgresRows(command, command.ExecuteReader(), row, table);
        }
        catch (NpgsqlException e)
        {
            command.Dispose();
            throw new LogDatabaseException($"Reading {table} failed: {e.Message}", e);
        }
    }
}

/// <summary>One query's rows, each loaded into its buffer as it is read.</summary>
internal readonly struct PostgresRows(NpgsqlCommand command, NpgsqlDataReader reader, PostgresRowBuffer row, string table) : ILogRows
{
    public bool Read()
    {
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            row.Load(reader);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidCastException)
        {
            throw new LogDatabaseException($"Reading {table} failed: {e.Message}", e);
        }
    }

    public long Int64(int column) => row.Int64(column);

    public bool IsNull(int column) => row.IsNull(column);

    public ReadOnlySpan<byte> Bytes(int column) => row.Bytes(column);

    public void Dispose()
    {
        reader?.Dispose();
        command?.Dispose();
    }
}

/// <summary>
/// The current row's columns: integers and booleans (as 0 or 1) as numbers, texts as UTF-8 and byte arrays as they
/// are, in one buffer reused from row to row.
/// </summary>
internal sealed class PostgresRowBuffer
{
    private long[] numbers = [];
    private int[] starts = [];
    private int[] lengths = []; // -1 for NULL
    private byte[] bytes = new byte[4096];

    public void Load(NpgsqlDataReader reader)
    {
        var count = reader.FieldCount;
        if (numbers.Length < count)
        {
            numbers = new long[count];
            starts = new int[count];
            lengths = new int[count];
        }

        var at = 0;
        for (var column = 0; column < count; column++)
        {
            starts[column] = at;
            lengths[column] = 0;
            if (reader.IsDBNull(column))
            {
                lengths[column] = -1;
                continue;
            }

            var type = reader.GetFieldType(column);
            if (type == typeof(long) || type == typeof(int) || type == typeof(bool))
            {
                numbers[column] = type == typeof(bool) ? (reader.GetBoolean(column) ? 1 : 0) : reader.GetInt64(column);
            }
            else if (type == typeof(string))
            {
                var text = reader.GetString(column);
                Room(at + Encoding.UTF8.GetMaxByteCount(text.Length));
                lengths[column] = Encoding.UTF8.GetBytes(text, bytes.AsSpan(at));
            }
            else
            {
                var length = checked((int)reader.GetBytes(column, 0, null, 0, 0));
                Room(at + length);
                lengths[column] = checked((int)reader.GetBytes(column, 0, bytes, at, length));
            }

            at += lengths[column];
        }
    }

    public long Int64(int column) => numbers[column];

    public bool IsNull(int column) => lengths[column] < 0;

    public ReadOnlySpan<byte> Bytes(int column) => lengths[column] < 0 ? default : bytes.AsSpan(starts[column], lengths[column]);

    private void Room(int needed)
    {
        if (needed > bytes.Length)
        {
            Array.Resize(ref bytes, Math.Max(needed, 2 * bytes.Length));
        }
    }
}
