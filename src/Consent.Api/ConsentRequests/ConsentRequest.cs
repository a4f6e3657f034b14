namespace Consent.Api.ConsentRequests;

public enum ConsentRequestState
{
    Pending,
    Approved,
    Declined,
}

/// <summary>
/// An agency asking a survivor for access. The survivor id is not checked against the records when the
/// request is made: a requester learns nothing about whether the survivor exists from the answer.
/// </summary>
public sealed class ConsentRequest
{
    private ConsentRequest()
    {
    }

    public ConsentRequest(Guid id, string survivorId, string requestingAgencyId, string requestedBy, IEnumerable<string> categories,
        string purpose, string reason, int requestedDays, DateTimeOffset createdAt)
    {
        Id = id;
        SurvivorId = survivorId;
        RequestingAgencyId = requestingAgencyId;
        RequestedBy = requestedBy;
        Categories = [.. categories];
        Purpose = purpose;
        Reason = reason;
        RequestedDays = requestedDays;
        CreatedAt = createdAt;
        State = ConsentRequestState.Pending;
    }

    public Guid Id { get; private set; }

    public string SurvivorId { get; private set; } = "";

    public string RequestingAgencyId { get; private set; } = "";

    /// <summary>The user id or client id that asked.</summary>
    public string RequestedBy { get; private set; } = "";

    public List<string> Categories { get; private set; } = [];

    public string Purpose { get; private set; } = "";

    public string Reason { get; private set; } = "";

    public int RequestedDays { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public ConsentRequestState State { get; private set; }

    public DateTimeOffset? DecidedAt { get; private set; }

    public string? DecidedBy { get; private set; }

    public Guid? GrantId { get; private set; }

    public string? DeclineReason { get; private set; }

    public void Approve(Guid grantId, string by, DateTimeOffset at)
    {
        EnsurePending();
        State = ConsentRequestState.Approved;
        GrantId = grantId;
        DecidedBy = by;
        DecidedAt = at;
    }

    public void Decline(string by, DateTimeOffset at, string? reason)
    {
        EnsurePending();
        State = ConsentRequestState.Declined;
        DecidedBy = by;
        DecidedAt = at;
        DeclineReason = reason;
    }

    private void EnsurePending()
    {
        if (State != ConsentRequestState.Pending)
        {
            throw new InvalidOperationException("The request has been answered.");
        }
    }
}
