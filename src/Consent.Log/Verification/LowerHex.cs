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
