using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Consent.Log.Merkle;

namespace Consent.Api.DisclosureLog;

/// <summary>
/// The hash chain over the disclosure log, and the canonical byte encoding each link hashes. The encoding is
/// versioned and specified in docs/disclosure-log.md; anything that verifies the log (or builds a Merkle tree
/// over it) must produce exactly these bytes, so change it only by adding a new version.
/// </summary>
public static class DisclosureChain
{
    /// <summary>The first byte of every version-1 encoding.</summary>
    public const byte EncodingVersion = 1;

    /// <summary>The previous hash of entry 1: 32 zero bytes.</summary>
    public static readonly string Genesis = new('0', 64);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The canonical (version 1) encoding of an entry's fields, without the previous hash.</summary>
    public static byte[] Encode(DisclosureEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new ArrayBufferWriter<byte>(512);
        WriteByte(buffer, EncodingVersion);
        WriteInt64(buffer, entry.Sequence);
        WriteInt64(buffer, entry.RecordedAt.ToUnixTimeMilliseconds());
        WriteString(buffer, entry.RecipientAgencyId);
        WriteString(buffer, entry.ClientId);
        if (entry.UserId is null)
        {
            WriteByte(buffer, 0);
        }
        else
        {
            WriteByte(buffer, 1);
            WriteString(buffer, entry.UserId);
        }

        WriteString(buffer, entry.SurvivorId);
        WriteString(buffer, entry.ResourceType);
        WriteUInt32(buffer, (uint)entry.ResourceIds.Count);
        foreach (var id in entry.ResourceIds)
        {
            WriteString(buffer, id);
        }

        WriteString(buffer, entry.PurposeOfUse);
        WriteByte(buffer, entry.Decision switch
        {
            DisclosureDecision.Permit => 1,
            DisclosureDecision.Deny => 2,
            _ => throw new ArgumentOutOfRangeException(nameof(entry), "Unknown decision."),
        });
        WriteUInt32(buffer, (uint)entry.Basis.Count);
        foreach (var basis in entry.Basis)
        {
            WriteByte(buffer, basis.Kind switch
            {
                DisclosureBasisKind.ConsentGrant => 1,
                DisclosureBasisKind.Mou => 2,
                DisclosureBasisKind.StatutoryBasis => 3,
                DisclosureBasisKind.BreakGlass => 4,
                DisclosureBasisKind.ConsentDirectory => 5,
                _ => throw new ArgumentOutOfRangeException(nameof(entry), "Unknown basis kind."),
            });
            WriteString(buffer, basis.Id);
        }

        WriteString(buffer, entry.PolicyVersion);
        WriteString(buffer, entry.RequestId);
        WriteByte(buffer, entry.BreakGlass ? (byte)1 : (byte)0);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The leaf input of an entry in the log's Merkle tree: its canonical encoding followed by the 32 bytes of the
    /// previous hash, so a leaf commits to the entry and to the chain.
    /// </summary>
    public static byte[] LeafInput(DisclosureEntry entry)
    {
        var encoded = Encode(entry);
        var input = new byte[encoded.Length + MerkleHash.Size];
        encoded.CopyTo(input, 0);
        if (Convert.FromHexString(entry.PreviousHash, input.AsSpan(encoded.Length), out _, out var written) != OperationStatus.Done
            || written != MerkleHash.Size)
        {
            throw new ArgumentException("The previous hash is not a SHA-256.", nameof(entry));
        }

        return input;
    }

    /// <summary>
    /// The entry's hash, lowercase hex: its Merkle leaf hash, SHA-256(0x00 ‖ encoding ‖ previous hash bytes)
    /// (RFC 9162 section 2.1.1). The chain links these hashes and the tree takes them as its leaves, so one
    /// hash per entry serves both.
    /// </summary>
    public static string ComputeHash(DisclosureEntry entry) => Convert.ToHexStringLower(MerkleHash.LeafHash(LeafInput(entry)));

    /// <summary>
    /// Checks entries given in sequence order, starting after the entry at <paramref name="afterSequence"/> whose
    /// hash is <paramref name="afterHash"/> (0 and <see cref="Genesis"/> to check from the start): each sequence
    /// follows the one before, each previous hash is the hash before, and each hash is recomputed from the fields.
    /// Returns the sequence of the first entry that fails, or null when all hold.
    /// </summary>
    public static long? FirstBreak(IEnumerable<DisclosureEntry> entries, long afterSequence = 0, string? afterHash = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var sequence = afterSequence;
        var previous = afterHash ?? Genesis;
        foreach (var entry in entries)
        {
            sequence++;
            if (entry.Sequence != sequence || entry.PreviousHash != previous || ComputeHash(entry) != entry.Hash)
            {
                return sequence;
            }

            previous = entry.Hash;
        }

        return null;
    }

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    private static void WriteUInt32(ArrayBufferWriter<byte> buffer, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Utf8.GetByteCount(value);
        WriteUInt32(buffer, (uint)length);
        Utf8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }
}
