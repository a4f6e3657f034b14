using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Consent.Log.Verification;

/// <summary>
/// SHA-256 for the verifier's inner loop: two hashes per entry (its leaf and, on average, one tree node) over a few
/// hundred bytes each. Through .NET's <see cref="SHA256"/> or <see cref="IncrementalHash"/> on Linux, each call costs
/// an OpenSSL EVP context's finalise, reset and error-queue clearing, about 0.4 µs, several times the hashing itself
/// (measured: 1.5 million 372-byte hashes a second through <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>,
/// 4.1 million through OpenSSL's SHA256_Init/Update/Final on one thread). So on Linux this calls those functions of
/// the libcrypto .NET itself uses, on a context of its own; elsewhere, or when they cannot be found, it falls back to
/// an <see cref="IncrementalHash"/>. Both compute the same SHA-256 (checked once when loaded).
/// </summary>
/// <remarks>
/// The calls skip the runtime's GC transition (three a hash, about 5 ns each) when they cannot take long: always for
/// SHA256_Init and SHA256_Final, and SHA256_Update over at most <see cref="ShortInput"/> bytes (a few microseconds
/// of hashing at most, which a GC may wait for); longer inputs keep the transition. They never block or call back.
/// </remarks>
internal sealed unsafe class Sha256Hasher : IDisposable
{
    private const int ContextSize = 256; // sizeof(SHA256_CTX) is 112
    private const int ShortInput = 4096;

    private static readonly LowLevel? Native = LowLevel.Load();

    private readonly IncrementalHash? fallback;
    private readonly byte* context;

    public Sha256Hasher()
    {
        if (Native is null)
        {
            fallback = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        else
        {
            context = (byte*)NativeMemory.AlignedAlloc(ContextSize, 64);
        }
    }

    /// <summary>Writes SHA-256(<paramref name="data"/>) to <paramref name="destination"/> (32 bytes).</summary>
    public void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (Native is not { } native)
        {
            fallback!.AppendData(data);
            fallback.GetHashAndReset(destination);
            return;
        }

        fixed (byte* input = data)
        fixed (byte* output = destination)
        {
            if (native.Init(context) != 1
                || (data.Length <= ShortInput ? native.UpdateShort(context, input, (nuint)data.Length) : native.Update(context, input, (nuint)data.Length)) != 1
                || native.Final(output, context) != 1)
            {
                throw new CryptographicException("SHA-256 failed.");
            }
        }
    }

    public void Dispose()
    {
        fallback?.Dispose();
        if (context is not null)
        {
            NativeMemory.AlignedFree(context);
        }
    }

    private sealed class LowLevel
    {
        public delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int> Init;
        public delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int> Update;
        public delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int> UpdateShort;
        public delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int> Final;

        public static LowLevel? Load()
        {
            if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("CONSENT_LOG_SHA256") == "dotnet")
            {
                return null;
            }

            foreach (var name in new[] { "libcrypto.so.3", "libcrypto.so.1.1" })
            {
                if (NativeLibrary.TryLoad(name, out var library)
                    && NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                    && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                    && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
                {
                    var functions = new LowLevel
                    {
                        Init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int>)init,
                        Update = (delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int>)update,
                        UpdateShort = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int>)update,
                        Final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int>)final,
                    };
                    if (functions.Agrees())
                    {
                        return functions;
                    }
                }
            }

            return null;
        }

        private bool Agrees()
        {
            var data = "abc"u8;
            Span<byte> expected = stackalloc byte[32];
            Span<byte> actual = stackalloc byte[32];
            SHA256.HashData(data, expected);
            var context = stackalloc byte[ContextSize];
            fixed (byte* input = data)
            fixed (byte* output = actual)
            {
                return Init(context) == 1 && Update(context, input, (nuint)data.Length) == 1 && Final(output, context) == 1
                    && actual.SequenceEqual(expected);
            }
        }
    }
}
