using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace Consent.Log.Verification;

/// <summary>
/// A SQLite VFS for the verifier's own read-only connections: the platform's default VFS, except that reads of the
/// main database file are served from a few windows of 64 pages each, filled by one read of the file apiece. SQLite
/// reads the log a page at a time, one system call each; the verifier reads its table in order, so one call now
/// brings the next 63 pages too.
/// </summary>
/// <remarks>
/// The windows hold bytes of the file only within one read transaction: they are dropped whenever SQLite takes or
/// releases a lock (a read transaction's start and end, in WAL mode the shared-memory read lock), and on any write.
/// Within a read transaction the pages SQLite reads from the main file do not change (a checkpoint copies into it
/// only pages the reader takes from the WAL), which is what SQLite's own page cache relies on too. Every other
/// file (WAL, shared memory, journals) is the default VFS's as it is. Falls back to the default VFS when SQLite's
/// registration functions cannot be found.
/// </remarks>
internal static unsafe class ReadAheadVfs
{
    public const string Name = "consent-log-readahead";

    private const int WindowSize = 256 * 1024;
    private const int Windows = 4;
    private const int SqliteOk = 0;
    private const int SqliteIoErrShortRead = 522;
    private const int SqliteOpenMainDb = 0x00000100;

    private static readonly Lazy<bool> Registered = new(Register);
    private static Vfs* defaultVfs;
    private static Vfs* ownVfs;
    private static IoMethods* ownMethods;
    private static IoMethods* innerMethods;
    private static readonly object MethodsLock = new();

    /// <summary>The VFS name to open the verifier's connections with, or null for SQLite's default.</summary>
    public static string? NameIfAvailable => Registered.Value ? Name : null;

    private static bool Register()
    {
        if (!NativeLibrary.TryLoad(raw.GetNativeLibraryName(), typeof(SQLite3Provider_e_sqlite3).Assembly, null, out var library)
            || !NativeLibrary.TryGetExport(library, "sqlite3_vfs_find", out var find)
            || !NativeLibrary.TryGetExport(library, "sqlite3_vfs_register", out var register))
        {
            return false;
        }

        var found = ((delegate* unmanaged[Cdecl]<byte*, Vfs*>)find)(null);
        if (found is null || found->Version < 1)
        {
            return false;
        }

        var vfs = (Vfs*)NativeMemory.AllocZeroed((nuint)sizeof(Vfs));
        *vfs = *found;
        if (found->Version < 3)
        {
            // Only the fields of the default's own version are valid to copy.
            vfs->CurrentTimeInt64 = found->Version >= 2 ? found->CurrentTimeInt64 : null;
            vfs->SetSystemCall = vfs->GetSystemCall = vfs->NextSystemCall = null;
        }

        vfs->Next = null;
        vfs->OsFileSize = sizeof(File) + found->OsFileSize;
        vfs->Name = (byte*)Marshal.StringToCoTaskMemUTF8(Name);
        vfs->Open = &Open;
        defaultVfs = found;
        ownVfs = vfs;
        return ((delegate* unmanaged[Cdecl]<Vfs*, int, int>)register)(vfs, 0) == SqliteOk;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Open(Vfs* vfs, byte* name, File* file, int flags, int* outFlags)
    {
        if ((flags & SqliteOpenMainDb) == 0)
        {
            // Not the database file: the default VFS's file, in place.
            return defaultVfs->Open(defaultVfs, name, file, flags, outFlags);
        }

        NativeMemory.Clear(file, (nuint)sizeof(File));
        var inner = Inner(file);
        var code = defaultVfs->Open(defaultVfs, name, inner, flags, outFlags);
        if (code != SqliteOk || inner->Methods is null)
        {
            return code;
        }

        lock (MethodsLock)
        {
            if (ownMethods is null)
            {
                innerMethods = inner->Methods;
                var methods = (IoMethods*)NativeMemory.AllocZeroed((nuint)sizeof(IoMethods));
                methods->Version = Math.Min(inner->Methods->Version, 3);
                methods->Close = &Close;
                methods->Read = &Read;
                methods->Write = &Write;
                methods->Truncate = &Truncate;
                methods->Sync = &Sync;
                methods->FileSize = &FileSize;
                methods->Lock = &Lock;
                methods->Unlock = &Unlock;
                methods->CheckReservedLock = &CheckReservedLock;
                methods->FileControl = &FileControl;
                methods->SectorSize = &SectorSize;
                methods->DeviceCharacteristics = &DeviceCharacteristics;
                if (methods->Version >= 2)
                {
                    methods->ShmMap = &ShmMap;
                    methods->ShmLock = &ShmLock;
                    methods->ShmBarrier = &ShmBarrier;
                    methods->ShmUnmap = &ShmUnmap;
                }

                if (methods->Version >= 3)
                {
                    methods->Fetch = &Fetch;
                    methods->Unfetch = &Unfetch;
                }

                ownMethods = methods;
            }
        }

        if (inner->Methods != innerMethods)
        {
            // Another kind of file than the first (the default VFS chose other methods): leave it as it is.
            inner->Methods->Close(inner);
            NativeMemory.Clear(file, (nuint)sizeof(File));
            return defaultVfs->Open(defaultVfs, name, file, flags, outFlags);
        }

        file->Buffer = (byte*)NativeMemory.Alloc((nuint)(WindowSize * Windows));
        file->Methods = ownMethods;
        Drop(file);
        return SqliteOk;
    }

    private static File* Inner(File* file) => (File*)((byte*)file + sizeof(File));

    private static void Drop(File* file)
    {
        for (var i = 0; i < Windows; i++)
        {
            file->Start[i] = -1;
            file->Length[i] = 0;
        }

        file->Size = -1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Read(File* file, byte* destination, int amount, long offset)
    {
        for (var i = 0; i < Windows; i++)
        {
            var start = file->Start[i];
            if (start >= 0 && offset >= start && offset + amount <= start + file->Length[i])
            {
                Buffer.MemoryCopy(file->Buffer + (i * WindowSize) + (offset - start), destination, amount, amount);
                file->Used[i] = ++file->Clock;
                return SqliteOk;
            }
        }

        var inner = Inner(file);
        if (amount > WindowSize / 4)
        {
            return inner->Methods->Read(inner, destination, amount, offset);
        }

        if (file->Size < 0)
        {
            long size;
            var code = inner->Methods->FileSize(inner, &size);
            if (code != SqliteOk)
            {
                return code;
            }

            file->Size = size;
        }

        var windowStart = offset - (offset % WindowSize);
        var length = (int)Math.Min(WindowSize, file->Size - windowStart);
        if (offset + amount > windowStart + length)
        {
            // Past the end as last seen (or across a window's edge): as the default VFS answers it.
            return inner->Methods->Read(inner, destination, amount, offset);
        }

        var victim = 0;
        for (var i = 1; i < Windows; i++)
        {
            if (file->Used[i] < file->Used[victim])
            {
                victim = i;
            }
        }

        var window = file->Buffer + (victim * WindowSize);
        var read = inner->Methods->Read(inner, window, length, windowStart);
        if (read != SqliteOk)
        {
            file->Start[victim] = -1;
            file->Length[victim] = 0;
            return read == SqliteIoErrShortRead ? inner->Methods->Read(inner, destination, amount, offset) : read;
        }

        file->Start[victim] = windowStart;
        file->Length[victim] = length;
        file->Used[victim] = ++file->Clock;
        Buffer.MemoryCopy(window + (offset - windowStart), destination, amount, amount);
        return SqliteOk;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Close(File* file)
    {
        var inner = Inner(file);
        var code = inner->Methods->Close(inner);
        NativeMemory.Free(file->Buffer);
        file->Buffer = null;
        return code;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Write(File* file, byte* source, int amount, long offset)
    {
        Drop(file);
        var inner = Inner(file);
        return inner->Methods->Write(inner, source, amount, offset);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Truncate(File* file, long size)
    {
        Drop(file);
        var inner = Inner(file);
        return inner->Methods->Truncate(inner, size);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Sync(File* file, int flags) => Inner(file)->Methods->Sync(Inner(file), flags);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int FileSize(File* file, long* size) => Inner(file)->Methods->FileSize(Inner(file), size);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Lock(File* file, int level)
    {
        Drop(file);
        return Inner(file)->Methods->Lock(Inner(file), level);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Unlock(File* file, int level)
    {
        Drop(file);
        return Inner(file)->Methods->Unlock(Inner(file), level);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int CheckReservedLock(File* file, int* result) => Inner(file)->Methods->CheckReservedLock(Inner(file), result);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int FileControl(File* file, int op, void* argument) => Inner(file)->Methods->FileControl(Inner(file), op, argument);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int SectorSize(File* file) => Inner(file)->Methods->SectorSize(Inner(file));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int DeviceCharacteristics(File* file) => Inner(file)->Methods->DeviceCharacteristics(Inner(file));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmMap(File* file, int region, int size, int extend, void** mapped) =>
        Inner(file)->Methods->ShmMap(Inner(file), region, size, extend, mapped);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmLock(File* file, int offset, int count, int flags)
    {
        // A WAL read transaction starts or ends (or a write lock changes hands): what the windows hold may be stale.
        Drop(file);
        return Inner(file)->Methods->ShmLock(Inner(file), offset, count, flags);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void ShmBarrier(File* file) => Inner(file)->Methods->ShmBarrier(Inner(file));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int ShmUnmap(File* file, int delete) => Inner(file)->Methods->ShmUnmap(Inner(file), delete);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Fetch(File* file, long offset, int amount, void** pointer) =>
        Inner(file)->Methods->Fetch(Inner(file), offset, amount, pointer);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Unfetch(File* file, long offset, void* pointer) => Inner(file)->Methods->Unfetch(Inner(file), offset, pointer);

    /// <summary><c>sqlite3_vfs</c> (version 3).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Vfs
    {
        public int Version;
        public int OsFileSize;
        public int MaxPathname;
        public Vfs* Next;
        public byte* Name;
        public void* AppData;
        public delegate* unmanaged[Cdecl]<Vfs*, byte*, File*, int, int*, int> Open;
        public void* Delete;
        public void* Access;
        public void* FullPathname;
        public void* DlOpen;
        public void* DlError;
        public void* DlSym;
        public void* DlClose;
        public void* Randomness;
        public void* Sleep;
        public void* CurrentTime;
        public void* GetLastError;
        public void* CurrentTimeInt64;
        public void* SetSystemCall;
        public void* GetSystemCall;
        public void* NextSystemCall;
    }

    /// <summary><c>sqlite3_io_methods</c> (version 3).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct IoMethods
    {
        public int Version;
        public delegate* unmanaged[Cdecl]<File*, int> Close;
        public delegate* unmanaged[Cdecl]<File*, byte*, int, long, int> Read;
        public delegate* unmanaged[Cdecl]<File*, byte*, int, long, int> Write;
        public delegate* unmanaged[Cdecl]<File*, long, int> Truncate;
        public delegate* unmanaged[Cdecl]<File*, int, int> Sync;
        public delegate* unmanaged[Cdecl]<File*, long*, int> FileSize;
        public delegate* unmanaged[Cdecl]<File*, int, int> Lock;
        public delegate* unmanaged[Cdecl]<File*, int, int> Unlock;
        public delegate* unmanaged[Cdecl]<File*, int*, int> CheckReservedLock;
        public delegate* unmanaged[Cdecl]<File*, int, void*, int> FileControl;
        public delegate* unmanaged[Cdecl]<File*, int> SectorSize;
        public delegate* unmanaged[Cdecl]<File*, int> DeviceCharacteristics;
        public delegate* unmanaged[Cdecl]<File*, int, int, int, void**, int> ShmMap;
        public delegate* unmanaged[Cdecl]<File*, int, int, int, int> ShmLock;
        public delegate* unmanaged[Cdecl]<File*, void> ShmBarrier;
        public delegate* unmanaged[Cdecl]<File*, int, int> ShmUnmap;
        public delegate* unmanaged[Cdecl]<File*, long, int, void**, int> Fetch;
        public delegate* unmanaged[Cdecl]<File*, long, void*, int> Unfetch;
    }

    /// <summary>
    /// <c>sqlite3_file</c> as this VFS lays it out: the methods pointer SQLite calls, the windows, then the default
    /// VFS's own file (whose first field is its methods pointer).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct File
    {
        public IoMethods* Methods;
        public byte* Buffer;
        public long Size;
        public long Clock;
        public fixed long Start[Windows];
        public fixed int Length[Windows];
        public fixed long Used[Windows];
    }
}
