namespace Consent.Api.BreakGlass;

public enum ReviewOutcome
{
    Justified,
    NotJustified,
}

/// <summary>
/// An emergency access declaration: who (agency, user or client), for which survivor, why and when. Every one
/// waits in the compliance review queue until a compliance officer reviews it.
/// </summary>
public sealed class BreakGlassRecord
{
    private BreakGlassRecord()
    {
    }

    public BreakGlassRecord(Guid id, string agencyId, string declaredBy, string? clientId, string survivorId, string purpose, string reason, DateTimeOffset declaredAt)
    {
        Id = id;
        AgencyId = agencyId;
        DeclaredBy = declaredBy;
        ClientId = clientId;
        SurvivorId = survivorId;
        Purpose = purpose;
        Reason = reason;
        DeclaredAt = declaredAt;
    }

    public Guid Id { get; private set; }

    public string AgencyId { get; private set; } = "";

    /// <summary>The user id (token subject) or client id that declared the emergency.</summary>
    public string DeclaredBy { get; private set; } = "";

    public string? ClientId { get; private set; }

    public string SurvivorId { get; private set; } = "";

    public string Purpose { get; private set; } = "";

    public string Reason { get; private set; } = "";

    public DateTimeOffset DeclaredAt { get; private set; }

    public bool NeedsReview => ReviewedAt is null;

    public DateTimeOffset? ReviewedAt { get; private set; }

    public string? ReviewedBy { get; private set; }

    public ReviewOutcome? Outcome { get; private set; }

    public string? ReviewNote { get; private set; }

    public void Review(string by, DateTimeOffset at, ReviewOutcome outcome, string? note)
    {
        if (!NeedsReview)
        {
            throw new InvalidOperationException("Already reviewed.");
        }

        ReviewedBy = by;
        ReviewedAt = at;
        Outcome = outcome;
        ReviewNote = note;
    }
}
