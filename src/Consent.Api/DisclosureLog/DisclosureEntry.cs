namespace Consent.Api.DisclosureLog;

public enum DisclosureDecision
{
    Permit,
    Deny,
}

/// <summary>What made a disclosure lawful (or what was considered): the kind of basis and its id.</summary>
public enum DisclosureBasisKind
{
    ConsentGrant,
    Mou,
    StatutoryBasis,
    BreakGlass,

    /// <summary>A consent directory's read of a survivor's Patient or consents, under its registration (the id is its client id).</summary>
    ConsentDirectory,
}

public sealed record DisclosureBasis(DisclosureBasisKind Kind, string Id)
{
    public static DisclosureBasis Grant(Guid id) => new(DisclosureBasisKind.ConsentGrant, id.ToString("D"));

    public static DisclosureBasis Mou(Guid id) => new(DisclosureBasisKind.Mou, id.ToString("D"));

    public static DisclosureBasis Statutory(Guid id) => new(DisclosureBasisKind.StatutoryBasis, id.ToString("D"));

    public static DisclosureBasis BreakGlass(Guid id) => new(DisclosureBasisKind.BreakGlass, id.ToString("D"));

    public static DisclosureBasis ConsentDirectory(string clientId) => new(DisclosureBasisKind.ConsentDirectory, clientId);

    public override string ToString() => $"{Kind}:{Id}";
}

/// <summary>
/// One decision on a read, as recorded in the disclosure log: who received (or was refused) what, about whom,
/// why and on what basis, chained to the entry before it by <see cref="Hash"/>. Nothing about an entry changes
/// after it is made: there are no setters, the lists are read-only copies, and the hash is computed from the
/// fields when the entry is created (see docs/disclosure-log.md for the canonical encoding).
/// </summary>
public sealed class DisclosureEntry
{
    // EF Core materializes entries through this constructor: its parameters are named after the properties.
    private DisclosureEntry(
        long sequence, DateTimeOffset recordedAt, string recipientAgencyId, string clientId, string? userId, string survivorId,
        string resourceType, IReadOnlyList<string> resourceIds, string purposeOfUse, DisclosureDecision decision,
        IReadOnlyList<DisclosureBasis> basis, string policyVersion, string requestId, bool breakGlass, string previousHash, string hash)
    {
        Sequence = sequence;
        RecordedAt = recordedAt;
        RecipientAgencyId = recipientAgencyId;
        ClientId = clientId;
        UserId = userId;
        SurvivorId = survivorId;
        ResourceType = resourceType;
        ResourceIds = Array.AsReadOnly(resourceIds.ToArray());
        PurposeOfUse = purposeOfUse;
        Decision = decision;
        Basis = Array.AsReadOnly(basis.ToArray());
        PolicyVersion = policyVersion;
        RequestId = requestId;
        BreakGlass = breakGlass;
        PreviousHash = previousHash;
        Hash = hash;
    }

    /// <summary>Position in the log: 1 for the first entry, then every integer in order, without gaps.</summary>
    public long Sequence { get; }

    /// <summary>When the entry was sequenced (UTC, millisecond precision); never earlier than the entry before.</summary>
    public DateTimeOffset RecordedAt { get; }

    public string RecipientAgencyId { get; }

    public string ClientId { get; }

    /// <summary>The person at the recipient agency, when a user (not only a system) asked.</summary>
    public string? UserId { get; }

    public string SurvivorId { get; }

    public string ResourceType { get; }

    /// <summary>The ids of the resources returned, in the order returned; empty for a deny.</summary>
    public IReadOnlyList<string> ResourceIds { get; }

    public string PurposeOfUse { get; }

    public DisclosureDecision Decision { get; }

    /// <summary>Grants, MOUs, statutory bases and break-glass records behind the decision, ordered by kind then id.</summary>
    public IReadOnlyList<DisclosureBasis> Basis { get; }

    public string PolicyVersion { get; }

    public string RequestId { get; }

    public bool BreakGlass { get; }

    /// <summary>Lowercase hex SHA-256 of the entry before (64 zeros before the first entry).</summary>
    public string PreviousHash { get; }

    /// <summary>Lowercase hex SHA-256 over this entry's canonical encoding followed by the previous hash.</summary>
    public string Hash { get; }

    /// <summary>Makes the entry at <paramref name="sequence"/> from a draft, chained to <paramref name="previousHash"/>.</summary>
    internal static DisclosureEntry Chain(long sequence, DateTimeOffset recordedAt, DisclosureDraft draft, string previousHash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        draft.Validate();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(recordedAt.ToUnixTimeMilliseconds());
        var basis = draft.Basis.Distinct().OrderBy(b => b.Kind).ThenBy(b => b.Id, StringComparer.Ordinal).ToArray();
        var unhashed = new DisclosureEntry(sequence, at, draft.RecipientAgencyId, draft.ClientId, draft.UserId, draft.SurvivorId,
            draft.ResourceType, draft.ResourceIds, draft.PurposeOfUse, draft.Decision, basis, draft.PolicyVersion, draft.RequestId,
            draft.BreakGlass, previousHash, "");
        return new DisclosureEntry(sequence, at, unhashed.RecipientAgencyId, unhashed.ClientId, unhashed.UserId, unhashed.SurvivorId,
            unhashed.ResourceType, unhashed.ResourceIds, unhashed.PurposeOfUse, unhashed.Decision, unhashed.Basis, unhashed.PolicyVersion,
            unhashed.RequestId, unhashed.BreakGlass, previousHash, DisclosureChain.ComputeHash(unhashed));
    }
}
