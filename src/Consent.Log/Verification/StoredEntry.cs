namespace Consent.Log.Verification;

/// <summary>
/// One row of the <c>DisclosureLog</c> table as stored: integers as they are, texts as their UTF-8 bytes, the two
/// lists as the JSON text of their columns. Spans point into the database library's buffers, so nothing is copied
/// or decoded to strings while a log is verified.
/// </summary>
public readonly ref struct StoredEntry
{
    public long Sequence { get; init; }

    /// <summary>Unix milliseconds, UTC.</summary>
    public long RecordedAt { get; init; }

    public ReadOnlySpan<byte> RecipientAgencyId { get; init; }

    public ReadOnlySpan<byte> ClientId { get; init; }

    /// <summary>False when the column is NULL (a system-only request).</summary>
    public bool HasUserId { get; init; }

    public ReadOnlySpan<byte> UserId { get; init; }

    public ReadOnlySpan<byte> SurvivorId { get; init; }

    public ReadOnlySpan<byte> ResourceType { get; init; }

    /// <summary>A JSON array of strings.</summary>
    public ReadOnlySpan<byte> ResourceIds { get; init; }

    public ReadOnlySpan<byte> PurposeOfUse { get; init; }

    /// <summary><c>Permit</c> or <c>Deny</c>.</summary>
    public ReadOnlySpan<byte> Decision { get; init; }

    /// <summary>A JSON array of <c>Kind:id</c> strings.</summary>
    public ReadOnlySpan<byte> Basis { get; init; }

    public ReadOnlySpan<byte> PolicyVersion { get; init; }

    public ReadOnlySpan<byte> RequestId { get; init; }

    /// <summary>0 or 1.</summary>
    public long BreakGlass { get; init; }
}
