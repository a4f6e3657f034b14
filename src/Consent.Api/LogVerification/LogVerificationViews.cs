using Consent.Log.Verification;

namespace Consent.Api.LogVerification;

/// <summary>
/// The outcome of an online check of the disclosure log: counts, and the first failures by sequence number, head id and
/// hashes only. Never an entry's contents or a survivor id.
/// </summary>
/// <param name="Holds">Every check held.</param>
/// <param name="StartedAt">When the check started.</param>
/// <param name="ElapsedMs">How long it took, in milliseconds.</param>
/// <param name="EntriesChecked">Entries read and rehashed.</param>
/// <param name="LogSize">The log's highest sequence number when the check started.</param>
/// <param name="TreeSize">Leaves in the stored Merkle tree (it may lag the log by a little).</param>
/// <param name="HeadsChecked">Signed tree heads stored in the database that were checked.</param>
/// <param name="PostedHeadsChecked">Tree heads sent with the request that were checked.</param>
/// <param name="TrustedKeys">Which keys were trusted: always <c>stored</c> (the keys in <c>DisclosureLogKeys</c>).</param>
/// <param name="FailureCount">Every failure found.</param>
/// <param name="Failures">The first failures (at most <see cref="OnlineLogVerifier.FailuresReported"/>), in log order.</param>
public sealed record LogVerificationReport(
    bool Holds, DateTimeOffset StartedAt, long ElapsedMs, long EntriesChecked, long LogSize, long TreeSize,
    int HeadsChecked, int PostedHeadsChecked, string TrustedKeys, long FailureCount, IReadOnlyList<LogFailureView> Failures);

/// <summary>
/// One failed check: its kind, where (an entry's sequence number, a stored head's id, or the position of a posted head in
/// the request, from 1), what is wrong in words, and the hash computed and the hash found.
/// </summary>
public sealed record LogFailureView(
    LogFailureKind Kind, long? Sequence, long? HeadId, int? PostedHead, string Message, string? Expected, string? Found);

/// <summary>The last online check, as the compliance dashboard shows it (null there until one has run since the API started).</summary>
public sealed record LastLogVerification(
    DateTimeOffset At, bool Holds, long LogSize, long FailureCount, LogFailureKind? FirstFailureKind, long? FirstFailureSequence, long ElapsedMs);
