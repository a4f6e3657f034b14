namespace Consent.Api.DenyList;

/// <summary>
/// An agency or a member of staff that must never receive anything about the survivor. It overrides every
/// grant, MOU and statutory basis. Removing it keeps the entry, marked removed, for the record.
/// </summary>
public sealed class DenyEntry
{
    private DenyEntry()
    {
    }

    public DenyEntry(Guid id, string survivorId, string? agencyId, string? staffUserId, string? reason, string addedBy, DateTimeOffset addedAt)
    {
        if ((agencyId is null) == (staffUserId is null))
        {
            throw new ArgumentException("A deny entry names an agency or a member of staff.");
        }

        Id = id;
        SurvivorId = survivorId;
        AgencyId = agencyId;
        StaffUserId = staffUserId;
        Reason = reason;
        AddedBy = addedBy;
        AddedAt = addedAt;
    }

    public Guid Id { get; private set; }

    public string SurvivorId { get; private set; } = "";

    public string? AgencyId { get; private set; }

    /// <summary>The user id (token subject) of a member of staff.</summary>
    public string? StaffUserId { get; private set; }

    public string? Reason { get; private set; }

    public string AddedBy { get; private set; } = "";

    public DateTimeOffset AddedAt { get; private set; }

    public string? RemovedBy { get; private set; }

    public DateTimeOffset? RemovedAt { get; private set; }

    public bool InForce => RemovedAt is null;

    public void Remove(string by, DateTimeOffset at)
    {
        if (!InForce)
        {
            throw new InvalidOperationException("Already removed.");
        }

        RemovedBy = by;
        RemovedAt = at;
    }
}
