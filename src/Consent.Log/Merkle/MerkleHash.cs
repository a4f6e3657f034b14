using System.Buffers;
using System.Security.Cryptography;

namespace Consent.Log.Merkle;

/// <summary>
/// The hashes of the disclosure log's Merkle tree (RFC 9162 section 2.1.1): a leaf is SHA-256(0x00 ‖ leaf input),
/// an interior node SHA-256(0x01 ‖ left ‖ right). The prefixes keep a leaf from ever being taken for a node.
/// </summary>
public static class MerkleHash
{
    /// <summary>The size of every hash in the tree, in bytes.</summary>
    public const int Size = SHA256.HashSizeInBytes;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Leaf inputs up to this size are prefixed on the stack; longer ones in a pooled buffer.
    private const int StackLimit = 1024;

    /// <summary>The root of the empty tree: SHA-256 of the empty string.</summary>
    public static ReadOnlySpan<byte> EmptyRoot =>
    [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ];

    /// <summary>SHA-256(0x00 ‖ <paramref name="leafInput"/>).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> leafInput)
    {
        var hash = new byte[Size];
        LeafHash(leafInput, hash);
        return hash;
    }

    /// <summary>Writes SHA-256(0x00 ‖ <paramref name="leafInput"/>) to <paramref name="destination"/>, without allocating.</summary>
    public static void LeafHash(ReadOnlySpan<byte> leafInput, Span<byte> destination)
    {
        CheckDestination(destination);
        var length = leafInput.Length + 1;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            buffer[0] = LeafPrefix;
            leafInput.CopyTo(buffer[1..]);
            SHA256.HashData(buffer[..length], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[Size];
        NodeHash(left, right, hash);
        return hash;
    }

    /// <summary>
    /// Writes SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>) to <paramref name="destination"/>,
    /// without allocating. The destination may be one of the inputs.
    /// </summary>
    public static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != Size || right.Length != Size)
        {
            throw new ArgumentException("A child of a node is not a SHA-256.");
        }

        CheckDestination(destination);
        Span<byte> buffer = stackalloc byte[1 + 2 * Size];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Size)..]);
        SHA256.HashData(buffer, destination);
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length != Size)
        {
            throw new ArgumentException("The destination does not hold exactly one SHA-256.", nameof(destination));
        }
    }
}
