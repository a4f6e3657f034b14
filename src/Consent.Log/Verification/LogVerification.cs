using Consent.Log.TreeHeads;

namespace Consent.Log.Verification;

/// <summary>What kind of check failed, in the order a failure at the same place is reported.</summary>
public enum LogFailureKind
{
    /// <summary>A table of the log is missing from the database.</summary>
    MissingTable,

    /// <summary>A sequence number is missing (an entry was removed) or out of range.</summary>
    SequenceGap,

    /// <summary>A row that no entry could have been stored as: it has no canonical encoding, or a malformed hash.</summary>
    MalformedEntry,

    /// <summary>An entry's previous hash is not the hash of the entry before.</summary>
    Chain,

    /// <summary>An entry's hash is not SHA-256(0x00 ‖ encoding ‖ previous hash): its fields were changed.</summary>
    HashMismatch,

    /// <summary>A row of <c>DisclosureTree</c> is missing, extra, or holds a hash the entries do not give.</summary>
    TreeNode,

    /// <summary>A tree head's signature does not verify, or names a key that is not trusted.</summary>
    TreeHeadSignature,

    /// <summary>A tree head's root is not the log's root at its size, and the head is not validly signed.</summary>
    TreeHeadRoot,

    /// <summary>Tree heads out of order: a missing id, a smaller size or an earlier time than the head before, or a size above the log's.</summary>
    TreeHeadOrder,

    /// <summary>
    /// A validly signed tree head whose root the log does not have at that size, or two heads of one size with
    /// different roots: the log was rewritten after signing, or showed different histories to different readers
    /// (a split view).
    /// </summary>
    Fork,
}

/// <summary>
/// One failed check. Names only sequence numbers, head ids, sizes and hashes: never an entry's contents.
/// </summary>
/// <param name="Kind">The check that failed.</param>
/// <param name="Sequence">The entry's sequence number, for checks on entries and tree rows (leaf index + 1).</param>
/// <param name="HeadId">The tree head's id in <c>DisclosureTreeHeads</c>, for checks on stored heads.</param>
/// <param name="TrustedHead">The name of a tree head the caller supplied, for checks on those.</param>
/// <param name="Message">What is wrong, in words.</param>
/// <param name="Expected">The value the check computed (a hash in lowercase hex), when there is one.</param>
/// <param name="Found">The value stored, when there is one.</param>
public sealed record LogFailure(
    LogFailureKind Kind, long? Sequence, long? HeadId, string? TrustedHead, string Message, string? Expected = null, string? Found = null);

/// <summary>A tree head from outside the database (saved by an auditor), with a name to report it by.</summary>
public sealed record TrustedTreeHead(string Name, TreeHead Head);

/// <summary>What to check a log against, and how.</summary>
public sealed class LogVerifierOptions
{
    /// <summary>
    /// Public keys (SubjectPublicKeyInfo DER) trusted to sign tree heads. When null, the keys stored in
    /// <c>DisclosureLogKeys</c> are used, which only shows the database agrees with itself; given, only these are.
    /// </summary>
    public IReadOnlyList<byte[]>? TrustedKeys { get; init; }

    /// <summary>Tree heads saved outside the database, checked like stored ones (signature, root at their size).</summary>
    public IReadOnlyList<TrustedTreeHead> TrustedHeads { get; init; } = [];

    /// <summary>Entries read and hashed in parallel, at most this many at a time (default: one per core).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Entries per chunk, as a tree level (2^16); smaller in tests, so that small logs span many chunks.</summary>
    internal int ChunkLevel { get; init; } = 16;

    /// <summary>Failures kept in the result (all are counted).</summary>
    public int MaxFailures { get; init; } = 100;

    /// <summary>Receives the number of entries checked so far, now and then (from the reading threads).</summary>
    public IProgress<long>? Progress { get; init; }

    /// <summary>Called once with the log's size, before the entries are read: the total for a progress bar.</summary>
    public Action<long>? LogSizeKnown { get; init; }
}

/// <summary>The outcome of verifying a log.</summary>
/// <param name="EntriesChecked">Rows of <c>DisclosureLog</c> read and checked.</param>
/// <param name="LogSize">The log's size: its highest sequence number.</param>
/// <param name="TreeSize">The integrated tree size: rows of <c>DisclosureTree</c>.</param>
/// <param name="HeadsChecked">Rows of <c>DisclosureTreeHeads</c> checked.</param>
/// <param name="TrustedHeadsChecked">Heads supplied by the caller that were checked.</param>
/// <param name="FailureCount">Every failure found.</param>
/// <param name="Failures">The first failures, in log order (entries and tree rows by sequence, then heads).</param>
/// <param name="Elapsed">How long the verification took.</param>
public sealed record LogVerificationResult(
    long EntriesChecked, long LogSize, long TreeSize, int HeadsChecked, int TrustedHeadsChecked,
    long FailureCount, IReadOnlyList<LogFailure> Failures, TimeSpan Elapsed)
{
    /// <summary>Every check held.</summary>
    public bool Holds => FailureCount == 0;

    /// <summary>The first failure in log order, or null.</summary>
    public LogFailure? FirstFailure => Failures.Count > 0 ? Failures[0] : null;
}

/// <summary>The database cannot be verified at all: missing, unreadable, or not a disclosure log.</summary>
public sealed class LogDatabaseException(string message, Exception? inner = null) : Exception(message, inner);
