using System.Runtime.InteropServices;
using SQLitePCL;

namespace Consent.Log.Verification;

/// <summary>
/// Steps a prepared statement and reads its columns as spans over SQLite's own buffers, calling the native SQLite
/// library that SQLitePCLRaw loaded through function pointers. Reading a row's sixteen columns through
/// <see cref="raw"/> costs two interop calls per column with SafeHandle marshalling and an interface dispatch each;
/// measured on the verifier's workload, calling the same C functions directly, on a connection without SQLite's
/// per-connection mutex, reads rows about twice as fast.
/// Falls back to <see cref="raw"/> when the library cannot be found by name.
/// </summary>
/// <remarks>
/// On a connection of the verifier's own (opened without SQLite's mutex, used by one thread), the column reads skip
/// the runtime's GC transition: each is a few dozen instructions that never block, wait or call back, and the
/// transition (about 5 ns, 33 calls a row) cost a tenth of the verifier's time. Stepping, which reads the file,
/// keeps it. On a caller's connection, whose mutex another thread could hold, every call keeps it.
/// </remarks>
internal readonly unsafe struct SqliteRows : ILogRows
{
    private static readonly Functions? Native = Functions.Load();

    private readonly sqlite3_stmt statement;
    private readonly IntPtr handle;
    private readonly bool ownConnection;
    private readonly string table;

    /// <param name="statement">The prepared statement, disposed with this.</param>
    /// <param name="ownConnection">
    /// The statement's connection was opened with SQLITE_OPEN_NOMUTEX and only this thread uses it.
    /// </param>
    /// <param name="table">The table read, named when reading fails.</param>
    public SqliteRows(sqlite3_stmt statement, bool ownConnection, string table)
    {
        this.statement = statement;
        this.ownConnection = ownConnection;
        this.table = table;
        handle = statement.DangerousGetHandle();
    }

    /// <summary>SQLite's result code: SQLITE_ROW, SQLITE_DONE or an error.</summary>
    public int Step() => Native is { } native ? native.Step(handle) : raw.sqlite3_step(statement);

    public bool Read() => Step() switch
    {
        raw.SQLITE_ROW => true,
        raw.SQLITE_DONE => false,
        _ => throw new LogDatabaseException($"Reading {table} failed: {raw.sqlite3_errmsg(raw.sqlite3_db_handle(statement)).utf8_to_string()}."),
    };

    public long Int64(int column) =>
        Native is not { } native ? raw.sqlite3_column_int64(statement, column)
        : ownConnection ? native.ColumnInt64Direct(handle, column)
        : native.ColumnInt64(handle, column);

    public bool IsNull(int column) =>
        (Native is not { } native ? raw.sqlite3_column_type(statement, column)
        : ownConnection ? native.ColumnTypeDirect(handle, column)
        : native.ColumnType(handle, column)) == raw.SQLITE_NULL;

    /// <summary>The column's bytes (a text's UTF-8), valid until the next step.</summary>
    public ReadOnlySpan<byte> Bytes(int column)
    {
        if (Native is not { } native)
        {
            return raw.sqlite3_column_blob(statement, column);
        }

        // sqlite3_column_bytes after sqlite3_column_blob, as SQLite's documentation asks.
        byte* pointer;
        int length;
        if (ownConnection)
        {
            pointer = native.ColumnBlobDirect(handle, column);
            length = native.ColumnBytesDirect(handle, column);
        }
        else
        {
            pointer = native.ColumnBlob(handle, column);
            length = native.ColumnBytes(handle, column);
        }

        return pointer is null ? default : new ReadOnlySpan<byte>(pointer, length);
    }

    public void Dispose() => statement?.Dispose();

    private sealed class Functions
    {
        public delegate* unmanaged[Cdecl]<IntPtr, int> Step;
        public delegate* unmanaged[Cdecl]<IntPtr, int, long> ColumnInt64;
        public delegate* unmanaged[Cdecl]<IntPtr, int, int> ColumnType;
        public delegate* unmanaged[Cdecl]<IntPtr, int, byte*> ColumnBlob;
        public delegate* unmanaged[Cdecl]<IntPtr, int, int> ColumnBytes;

        // The same functions, called without the GC transition (see the remarks above).
        public delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long> ColumnInt64Direct;
        public delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnTypeDirect;
        public delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*> ColumnBlobDirect;
        public delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int> ColumnBytesDirect;

        public static Functions? Load()
        {
            try
            {
                if (!NativeLibrary.TryLoad(raw.GetNativeLibraryName(), typeof(SQLite3Provider_e_sqlite3).Assembly, null, out var library))
                {
                    return null;
                }

                var columnInt64 = NativeLibrary.GetExport(library, "sqlite3_column_int64");
                var columnType = NativeLibrary.GetExport(library, "sqlite3_column_type");
                var columnBlob = NativeLibrary.GetExport(library, "sqlite3_column_blob");
                var columnBytes = NativeLibrary.GetExport(library, "sqlite3_column_bytes");
                return new Functions
                {
                    Step = (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_step"),
                    ColumnInt64 = (delegate* unmanaged[Cdecl]<IntPtr, int, long>)columnInt64,
                    ColumnType = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)columnType,
                    ColumnBlob = (delegate* unmanaged[Cdecl]<IntPtr, int, byte*>)columnBlob,
                    ColumnBytes = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)columnBytes,
                    ColumnInt64Direct = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, long>)columnInt64,
                    ColumnTypeDirect = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)columnType,
                    ColumnBlobDirect = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, byte*>)columnBlob,
                    ColumnBytesDirect = (delegate* unmanaged[Cdecl, SuppressGCTransition]<IntPtr, int, int>)columnBytes,
                };
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or BadImageFormatException)
            {
                return null;
            }
        }
    }
}

/// <summary>The log's rows in a SQLite database, on one connection.</summary>
/// <param name="ownConnection">The connection is the verifier's own, mutex-free and read by this thread only (see <see cref="SqliteRows"/>); disposed with this.</param>
internal sealed class SqliteRowSource(sqlite3 db, bool ownConnection) : ILogRowSource<SqliteRows>
{
    private const string EntrySql =
        """
        SELECT "Sequence", "RecordedAt", "RecipientAgencyId", "ClientId", "UserId", "SurvivorId", "ResourceType",
               "ResourceIds", "PurposeOfUse", "Decision", "Basis", "PolicyVersion", "RequestId", "BreakGlass",
               "PreviousHash", "Hash"
        FROM "DisclosureLog" WHERE "Sequence" > ?1 AND "Sequence" <= ?2 ORDER BY "Sequence"
        """;

    private const string TreeSql =
        """SELECT "LeafIndex", "Hashes" FROM "DisclosureTree" WHERE "LeafIndex" >= ?1 AND "LeafIndex" < ?2 ORDER BY "LeafIndex" """;

    public SqliteRows Entries(long start, long end) => new(Prepare(EntrySql, start, end), ownConnection, "DisclosureLog");

    public SqliteRows Tree(long start, long end) => new(Prepare(TreeSql, start, end), ownConnection, "DisclosureTree");

    public void Dispose()
    {
        if (ownConnection)
        {
            db.Dispose();
        }
    }

    private sqlite3_stmt Prepare(string sql, long from, long to)
    {
        Check(raw.sqlite3_prepare_v2(db, sql, out var statement));
        Check(raw.sqlite3_bind_int64(statement, 1, from));
        Check(raw.sqlite3_bind_int64(statement, 2, to));
        return statement;
    }

    private void Check(int code)
    {
        if (code != raw.SQLITE_OK)
        {
            throw new LogDatabaseException($"The log cannot be read: {raw.sqlite3_errmsg(db).utf8_to_string()}.");
        }
    }
}
