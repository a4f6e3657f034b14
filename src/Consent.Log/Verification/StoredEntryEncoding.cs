using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Consent.Log.Verification;

/// <summary>
/// The canonical encoding, version 1 (docs/disclosure-log.md), of an entry read straight from its stored columns.
/// Written from the specification, independently of the API's <c>DisclosureChain.Encode</c>: a verifier that shared
/// the writer's code would share its mistakes. A row that no entry could have been stored as (an unknown decision or
/// basis kind, a list that is not a JSON array of strings, text that is not UTF-8) has no encoding.
/// </summary>
public static class StoredEntryEncoding
{
    /// <summary>The first byte of every version-1 encoding.</summary>
    public const byte Version1 = 0x01;

    private const string NotUtf8 = "a text field is not UTF-8";

    private static readonly JsonReaderOptions ListOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 2 };

    /// <summary>Printable ASCII but <c>"</c> and <c>\</c>: what a JSON string holds as it is, without escapes.</summary>
    private static readonly SearchValues<byte> PlainStringBytes =
        SearchValues.Create(Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b is not ('"' or '\\')).Select(b => (byte)b).ToArray());

    /// <summary>
    /// An upper bound of the encoding's length: every text once with its length, and a JSON list's elements at most
    /// twice its text (an element of n bytes takes at least n + 1 bytes of JSON and at most n + 5 encoded).
    /// </summary>
    public static int MaxEncodedLength(in StoredEntry entry) =>
        64 + entry.RecipientAgencyId.Length + entry.ClientId.Length + entry.UserId.Length + entry.SurvivorId.Length
        + entry.ResourceType.Length + 2 * entry.ResourceIds.Length + entry.PurposeOfUse.Length + 2 * entry.Basis.Length
        + entry.PolicyVersion.Length + entry.RequestId.Length;

    /// <summary>The entry's encoding as a new array; throws <see cref="FormatException"/> when the row has none.</summary>
    public static byte[] Encode(in StoredEntry entry)
    {
        var buffer = new byte[MaxEncodedLength(entry)];
        return TryEncode(entry, buffer, out var written, out var problem)
            ? buffer.AsSpan(0, written).ToArray()
            : throw new FormatException(problem);
    }

    /// <summary>
    /// Writes the entry's encoding to <paramref name="destination"/> (at least <see cref="MaxEncodedLength"/> bytes).
    /// False, with what is wrong (never a stored value), when the row has no encoding.
    /// </summary>
    public static bool TryEncode(in StoredEntry entry, Span<byte> destination, out int written, out string? problem)
    {
        written = 0;
        if (destination.Length < MaxEncodedLength(entry))
        {
            throw new ArgumentException("The destination is shorter than the encoding may be.", nameof(destination));
        }

        var decision = entry.Decision.SequenceEqual("Permit"u8) ? (byte)0x01 : entry.Decision.SequenceEqual("Deny"u8) ? (byte)0x02 : (byte)0;
        if (decision == 0)
        {
            problem = "the decision is neither Permit nor Deny";
            return false;
        }

        if (entry.BreakGlass is not (0 or 1))
        {
            problem = "break glass is neither 0 nor 1";
            return false;
        }

        var at = 0;
        destination[at++] = Version1;
        BinaryPrimitives.WriteInt64BigEndian(destination[at..], entry.Sequence);
        at += 8;
        BinaryPrimitives.WriteInt64BigEndian(destination[at..], entry.RecordedAt);
        at += 8;
        var textsFrom = at;
        WriteText(entry.RecipientAgencyId, destination, ref at);
        WriteText(entry.ClientId, destination, ref at);
        if (entry.HasUserId)
        {
            destination[at++] = 0x01;
            WriteText(entry.UserId, destination, ref at);
        }
        else
        {
            destination[at++] = 0x00;
        }

        WriteText(entry.SurvivorId, destination, ref at);
        WriteText(entry.ResourceType, destination, ref at);
        string? listProblem = null;
        try
        {
            if (!WriteResourceIds(entry.ResourceIds, destination, ref at))
            {
                listProblem = "the resource ids are not a JSON array of strings";
            }
            else
            {
                WriteText(entry.PurposeOfUse, destination, ref at);
                destination[at++] = decision;
                if (!WriteBasis(entry.Basis, destination, ref at))
                {
                    listProblem = "the basis is not a JSON array of Kind:id strings of known kinds";
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Malformed JSON, invalid UTF-8 in it, or an escape that is not valid UTF-16.
            listProblem = "a list is not valid JSON text";
        }

        if (listProblem is not null)
        {
            // Text that is not UTF-8 is reported first, whatever the lists hold.
            problem = TextsAreUtf8(entry) ? listProblem : NotUtf8;
            return false;
        }

        WriteText(entry.PolicyVersion, destination, ref at);
        WriteText(entry.RequestId, destination, ref at);
        destination[at++] = (byte)entry.BreakGlass;

        // The texts are parts of what was written since textsFrom (but a user id given without HasUserId): when all
        // of that is ASCII (as ids, names and lengths below 128 are), every text is UTF-8, checked in one pass instead
        // of eight. Else each text is checked.
        var allAscii = Ascii.IsValid(destination[textsFrom..at]) && (entry.HasUserId || entry.UserId.IsEmpty);
        if (!allAscii && !TextsAreUtf8(entry))
        {
            problem = NotUtf8;
            return false;
        }

        written = at;
        problem = null;
        return true;
    }

    private static bool TextsAreUtf8(in StoredEntry entry) =>
        Utf8.IsValid(entry.RecipientAgencyId) && Utf8.IsValid(entry.ClientId) && Utf8.IsValid(entry.UserId)
        && Utf8.IsValid(entry.SurvivorId) && Utf8.IsValid(entry.ResourceType) && Utf8.IsValid(entry.PurposeOfUse)
        && Utf8.IsValid(entry.PolicyVersion) && Utf8.IsValid(entry.RequestId);

    private static void WriteText(ReadOnlySpan<byte> text, Span<byte> destination, ref int at)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[at..], (uint)text.Length);
        text.CopyTo(destination[(at + 4)..]);
        at += 4 + text.Length;
    }

    private static bool WriteResourceIds(ReadOnlySpan<byte> json, Span<byte> destination, ref int at) =>
        TryWritePlainList(json, destination, ref at, basis: false) || ReadList(json, destination, ref at, basis: false);

    private static bool WriteBasis(ReadOnlySpan<byte> json, Span<byte> destination, ref int at) =>
        TryWritePlainList(json, destination, ref at, basis: true) || ReadList(json, destination, ref at, basis: true);

    /// <summary>
    /// The list as the API stores it, <c>["…","…"]</c> without whitespace or escapes and of printable ASCII, written
    /// without <see cref="Utf8JsonReader"/> (two readers a row were a tenth of the verifier's time). Such text is
    /// valid JSON, and the reader would give the same strings. False, having written nothing that counts, for any
    /// other text, and for a basis element without a known kind: the reader then decides (and says what is wrong).
    /// </summary>
    private static bool TryWritePlainList(ReadOnlySpan<byte> json, Span<byte> destination, ref int at, bool basis)
    {
        if (json.Length < 2 || json[0] != (byte)'[')
        {
            return false;
        }

        var write = at + 4;
        uint count = 0;
        var position = 1;
        if (json[1] == (byte)']')
        {
            position = 2;
        }
        else
        {
            while (true)
            {
                if (json[position] != (byte)'"')
                {
                    return false;
                }

                var length = json[(position + 1)..].IndexOfAnyExcept(PlainStringBytes);
                if (length < 0 || json[position + 1 + length] != (byte)'"')
                {
                    return false;
                }

                var element = json.Slice(position + 1, length);
                if (basis)
                {
                    var colon = element.IndexOf((byte)':');
                    var kind = colon < 0 ? (byte)0 : KindCode(element[..colon]);
                    if (kind == 0)
                    {
                        return false;
                    }

                    destination[write++] = kind;
                    WriteText(element[(colon + 1)..], destination, ref write);
                }
                else
                {
                    WriteText(element, destination, ref write);
                }

                count++;
                position += length + 2;
                if (position >= json.Length)
                {
                    return false;
                }

                var next = json[position++];
                if (next == (byte)']')
                {
                    break;
                }

                if (next != (byte)',' || position >= json.Length)
                {
                    return false;
                }
            }
        }

        if (position != json.Length)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[at..], count);
        at = write;
        return true;
    }

    /// <summary>
    /// Any other JSON text of a list, through <see cref="Utf8JsonReader"/>: resource ids as strings, or (with
    /// <paramref name="basis"/>) "Kind:id" strings as a kind byte and the id. False for anything that is not a list of
    /// such strings.
    /// </summary>
    private static bool ReadList(ReadOnlySpan<byte> json, Span<byte> destination, ref int at, bool basis)
    {
        var reader = new Utf8JsonReader(json, ListOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var countAt = at;
        at += 4;
        uint count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            if (!basis)
            {
                var length = Unescaped(ref reader, destination[(at + 4)..]);
                BinaryPrimitives.WriteUInt32BigEndian(destination[at..], (uint)length);
                at += 4 + length;
            }
            else if (!ReadBasisElement(ref reader, destination, ref at))
            {
                return false;
            }

            count++;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[countAt..], count);
        return reader.TokenType == JsonTokenType.EndArray && !reader.Read();
    }

    private static bool ReadBasisElement(ref Utf8JsonReader reader, Span<byte> destination, ref int at)
    {
        // Unescape "Kind:id" where the id will go, then move the id to the front of that space.
        var text = destination[(at + 5)..];
        var length = Unescaped(ref reader, text);
        var colon = text[..length].IndexOf((byte)':');
        if (colon < 0)
        {
            return false;
        }

        var kind = KindCode(text[..colon]);
        if (kind == 0)
        {
            return false;
        }

        var idLength = length - colon - 1;
        text.Slice(colon + 1, idLength).CopyTo(text);
        destination[at] = kind;
        BinaryPrimitives.WriteUInt32BigEndian(destination[(at + 1)..], (uint)idLength);
        at += 5 + idLength;
        return true;
    }

    private static byte KindCode(ReadOnlySpan<byte> kind) =>
        kind.SequenceEqual("ConsentGrant"u8) ? (byte)0x01
        : kind.SequenceEqual("Mou"u8) ? (byte)0x02
        : kind.SequenceEqual("StatutoryBasis"u8) ? (byte)0x03
        : kind.SequenceEqual("BreakGlass"u8) ? (byte)0x04
        : kind.SequenceEqual("ConsentDirectory"u8) ? (byte)0x05
        : (byte)0;

    /// <summary>Writes the current JSON string's UTF-8 value (unescaped) to <paramref name="destination"/>.</summary>
    private static int Unescaped(ref Utf8JsonReader reader, Span<byte> destination)
    {
        if (!reader.ValueIsEscaped)
        {
            reader.ValueSpan.CopyTo(destination);
            return reader.ValueSpan.Length;
        }

        return reader.CopyString(destination);
    }
}
