namespace Consent.Api.DisclosureLog;

/// <summary>
/// A decision on a read, waiting to be appended: everything but the sequence number, the time and the chain
/// hash, which the log assigns in commit order.
/// </summary>
public sealed record DisclosureDraft(
    string RecipientAgencyId,
    string ClientId,
    string? UserId,
    string SurvivorId,
    string ResourceType,
    IReadOnlyList<string> ResourceIds,
    string PurposeOfUse,
    DisclosureDecision Decision,
    IReadOnlyList<DisclosureBasis> Basis,
    string PolicyVersion,
    string RequestId,
    bool BreakGlass = false)
{
    /// <summary>Longest id or code the log accepts in any one field.</summary>
    public const int MaxFieldLength = 256;

    /// <summary>Refuses a draft that would make a misleading entry; a caller's bug, so an exception.</summary>
    internal void Validate()
    {
        Required(RecipientAgencyId, nameof(RecipientAgencyId));
        Required(ClientId, nameof(ClientId));
        Required(SurvivorId, nameof(SurvivorId));
        Required(ResourceType, nameof(ResourceType));
        Required(PurposeOfUse, nameof(PurposeOfUse));
        Required(PolicyVersion, nameof(PolicyVersion));
        Required(RequestId, nameof(RequestId));
        if (UserId is not null)
        {
            Required(UserId, nameof(UserId));
        }

        ArgumentNullException.ThrowIfNull(ResourceIds);
        ArgumentNullException.ThrowIfNull(Basis);
        foreach (var id in ResourceIds)
        {
            Required(id, nameof(ResourceIds));
        }

        foreach (var basis in Basis)
        {
            ArgumentNullException.ThrowIfNull(basis, nameof(Basis));
            Required(basis.Id, nameof(Basis));
            if (!Enum.IsDefined(basis.Kind))
            {
                throw new ArgumentException("Unknown basis kind.", nameof(Basis));
            }
        }

        if (!Enum.IsDefined(Decision))
        {
            throw new ArgumentException("Unknown decision.", nameof(Decision));
        }

        if (Decision == DisclosureDecision.Permit && Basis.Count == 0)
        {
            throw new ArgumentException("A permitted disclosure names the basis it was made on.", nameof(Basis));
        }

        if (Decision == DisclosureDecision.Deny && ResourceIds.Count > 0)
        {
            throw new ArgumentException("A denied read returns no resources.", nameof(ResourceIds));
        }
    }

    private static void Required(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxFieldLength)
        {
            throw new ArgumentException($"{field} must be 1 to {MaxFieldLength} characters.", field);
        }
    }
}
