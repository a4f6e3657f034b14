using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Consent.Log.Verification;

/// <summary>Lowercase hex of 32-byte hashes, as the log stores them, read from UTF-8 without strings.</summary>
internal static class LowerHex
{
    private static readonly sbyte[] Digits = MakeDigits();

    /// <summary>Reads exactly 64 lowercase hex digits into 32 bytes; false for anything else.</summary>
    public static bool TryParseHash(ReadOnlySpan<byte> text, Span<byte> hash)
    {
        if (text.Length != 64)
        {
            return false;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(hash.Length, 32, nameof(hash));

        return Vector128.IsHardwareAccelerated ? TryParseVectorized(text, hash) : TryParseScalar(text, hash);
    }

    /// <summary>
    /// Sixteen digits at a time (two hashes a row: a loop of 32 table lookups each was 3-4% of the verifier's time).
    /// </summary>
    private static bool TryParseVectorized(ReadOnlySpan<byte> text, Span<byte> hash)
    {
        ref var source = ref MemoryMarshal.GetReference(text);
        var valid = Vector128<byte>.AllBitsSet;
        var v0 = Nibbles(Vector128.LoadUnsafe(ref source, 0), ref valid);
        var v1 = Nibbles(Vector128.LoadUnsafe(ref source, 16), ref valid);
        var v2 = Nibbles(Vector128.LoadUnsafe(ref source, 32), ref valid);
        var v3 = Nibbles(Vector128.LoadUnsafe(ref source, 48), ref valid);
        if (valid != Vector128<byte>.AllBitsSet)
        {
            return false;
        }

        ref var destination = ref MemoryMarshal.GetReference(hash);
        Vector128.Narrow(Pairs(v0), Pairs(v1)).StoreUnsafe(ref destination, 0);
        Vector128.Narrow(Pairs(v2), Pairs(v3)).StoreUnsafe(ref destination, 16);
        return true;
    }

    /// <summary>Each digit's value; clears <paramref name="valid"/>'s lanes of bytes that are not 0-9 or a-f.</summary>
    private static Vector128<byte> Nibbles(Vector128<byte> digits, ref Vector128<byte> valid)
    {
        var decimals = digits - Vector128.Create((byte)'0');
        var letters = digits - Vector128.Create((byte)'a');
        var isDecimal = Vector128.LessThan(decimals, Vector128.Create((byte)10));
        var isLetter = Vector128.LessThan(letters, Vector128.Create((byte)6));
        valid &= isDecimal | isLetter;
        return Vector128.ConditionalSelect(isDecimal, decimals, letters + Vector128.Create((byte)10));
    }

    /// <summary>
    /// Digit pairs (high, low) as 16-bit lanes, little-endian, holding (high &lt;&lt; 4) | low in their low byte,
    /// which <see cref="Vector128.Narrow(Vector128{ushort}, Vector128{ushort})"/> keeps.
    /// </summary>
    private static Vector128<ushort> Pairs(Vector128<byte> nibbles)
    {
        var lanes = nibbles.AsUInt16();
        return (lanes << 4) | (lanes >>> 8);
    }

    private static bool TryParseScalar(ReadOnlySpan<byte> text, Span<byte> hash)
    {
        var digits = Digits;
        var bad = 0;
        for (var i = 0; i < 32; i++)
        {
            int high = digits[text[2 * i]], low = digits[text[2 * i + 1]];
            bad |= high | low;
            hash[i] = (byte)((high << 4) | low);
        }

        return bad >= 0;
    }

    private static sbyte[] MakeDigits()
    {
        var digits = new sbyte[256];
        Array.Fill(digits, (sbyte)-1);
        for (var c = '0'; c <= '9'; c++)
        {
            digits[c] = (sbyte)(c - '0');
        }

        for (var c = 'a'; c <= 'f'; c++)
        {
            digits[c] = (sbyte)(c - 'a' + 10);
        }

        return digits;
    }
}
