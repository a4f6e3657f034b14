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
internal sealed unsafe class SqliteRows : IDisposable
{
    private static readonly Functions? Native = Functions.Load();

    private readonly sqlite3_stmt statement;
    private readonly IntPtr handle;

    public SqliteRows(sqlite3_stmt statement)
    {
        this.statement = statement;
        handle = statement.DangerousGetHandle();
    }

    /// <summary>SQLite's result code: SQLITE_ROW, SQLITE_DONE or an error.</summary>
    public int Step() => Native is { } native ? native.Step(handle) : raw.sqlite3_step(statement);

    public long Int64(int column) => Native is { } native ? native.ColumnInt64(handle, column) : raw.sqlite3_column_int64(statement, column);

    public bool IsNull(int column) =>
        (Native is { } native ? native.ColumnType(handle, column) : raw.sqlite3_column_type(statement, column)) == raw.SQLITE_NULL;

    /// <summary>The column's bytes (a text's UTF-8), valid until the next step.</summary>
    public ReadOnlySpan<byte> Bytes(int column)
    {
        if (Native is not { } native)
        {
            return raw.sqlite3_column_blob(statement, column);
        }

        // sqlite3_column_bytes after sqlite3_column_blob, as SQLite's documentation asks.
        var pointer = native.ColumnBlob(handle, column);
        var length = native.ColumnBytes(handle, column);
        return pointer is null ? default : new ReadOnlySpan<byte>(pointer, length);
    }

    public void Dispose() => statement.Dispose();

    private sealed class Functions
    {
        public delegate* unmanaged[Cdecl]<IntPtr, int> Step;
        public delegate* unmanaged[Cdecl]<IntPtr, int, long> ColumnInt64;
        public delegate* unmanaged[Cdecl]<IntPtr, int, int> ColumnType;
        public delegate* unmanaged[Cdecl]<IntPtr, int, byte*> ColumnBlob;
        public delegate* unmanaged[Cdecl]<IntPtr, int, int> ColumnBytes;

        public static Functions? Load()
        {
            try
            {
                if (!NativeLibrary.TryLoad(raw.GetNativeLibraryName(), typeof(SQLite3Provider_e_sqlite3).Assembly, null, out var library))
                {
                    return null;
                }

                return new Functions
                {
                    Step = (delegate* unmanaged[Cdecl]<IntPtr, int>)NativeLibrary.GetExport(library, "sqlite3_step"),
                    ColumnInt64 = (delegate* unmanaged[Cdecl]<IntPtr, int, long>)NativeLibrary.GetExport(library, "sqlite3_column_int64"),
                    ColumnType = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)NativeLibrary.GetExport(library, "sqlite3_column_type"),
                    ColumnBlob = (delegate* unmanaged[Cdecl]<IntPtr, int, byte*>)NativeLibrary.GetExport(library, "sqlite3_column_blob"),
                    ColumnBytes = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)NativeLibrary.GetExport(library, "sqlite3_column_bytes"),
                };
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or BadImageFormatException)
            {
                return null;
            }
        }
    }
}
