namespace Consent.Log.Verification;

/// <summary>
/// The rows of one query over the log's tables, read forward: the entries of a chunk (the sixteen columns of
/// <c>DisclosureLog</c> in <see cref="ChunkVerifier{TRows}"/>'s order, lists as JSON text) or its tree rows
/// (<c>LeafIndex</c>, <c>Hashes</c>). A struct, so that the chunk verifier's code is compiled for each store and
/// every column read is a direct call.
/// </summary>
internal interface ILogRows : IDisposable
{
    /// <summary>Moves to the next row; false after the last. Throws <see cref="LogDatabaseException"/> when reading fails.</summary>
    bool Read();

    long Int64(int column);

    bool IsNull(int column);

    /// <summary>The column's bytes (a text's UTF-8), valid until the next <see cref="Read"/>.</summary>
    ReadOnlySpan<byte> Bytes(int column);
}

/// <summary>Where one reading thread reads its chunks: one store's connections, owned by the source.</summary>
internal interface IChunkRowSource : IDisposable
{
    /// <summary>A chunk verifier reading through this source, which it disposes.</summary>
    IChunkVerifier Verifier(int chunkLevel, long treeSize, long[] headSizes, int maxFailures);
}

/// <inheritdoc cref="IChunkRowSource"/>
internal interface ILogRowSource<TRows> : IChunkRowSource
    where TRows : struct, ILogRows
{
    IChunkVerifier IChunkRowSource.Verifier(int chunkLevel, long treeSize, long[] headSizes, int maxFailures) =>
        new ChunkVerifier<TRows>(this, chunkLevel, treeSize, headSizes, maxFailures);

    /// <summary>The entries with sequence numbers in (<paramref name="start"/>, <paramref name="end"/>], in order.</summary>
    TRows Entries(long start, long end);

    /// <summary>The tree rows of leaves [<paramref name="start"/>, <paramref name="end"/>), in order.</summary>
    TRows Tree(long start, long end);
}
