namespace Consent.Api.Mous;

/// <summary>Where an MOU is in its life. Expiry is computed from the dates, not stored.</summary>
public enum MouState
{
    Draft,
    PendingSignature,
    Signed,
    Terminated,
}

public enum MouStatus
{
    Draft,
    PendingSignature,

    /// <summary>Signed by every party, waiting for its effective date.</summary>
    Signed,
    Active,
    Expired,
    Terminated,
}

/// <summary>A party agency and, once it has signed, who signed for it, when, and which document.</summary>
public sealed class MouParty
{
    private MouParty()
    {
    }

    public MouParty(string agencyId) => AgencyId = agencyId;

    public string AgencyId { get; private set; } = "";

    /// <summary>The user id (token subject) of the agency admin who signed.</summary>
    public string? SignedBy { get; private set; }

    public DateTimeOffset? SignedAt { get; private set; }

    /// <summary>The SHA-256 of the document as it was when this party signed.</summary>
    public string? SignedDocumentSha256 { get; private set; }

    public bool HasSigned => SignedAt is not null;

    internal void Sign(string by, DateTimeOffset at, string documentSha256)
    {
        SignedBy = by;
        SignedAt = at;
        SignedDocumentSha256 = documentSha256;
    }
}

/// <summary>One direction of sharing: the source agency may share with the recipient.</summary>
public sealed class MouFlow
{
    private MouFlow()
    {
    }

    public MouFlow(string sourceAgencyId, string recipientAgencyId)
    {
        SourceAgencyId = sourceAgencyId;
        RecipientAgencyId = recipientAgencyId;
    }

    public string SourceAgencyId { get; private set; } = "";

    public string RecipientAgencyId { get; private set; } = "";
}

/// <summary>What an MOU says; a draft's terms may change until it goes for signature.</summary>
public sealed record MouTerms(
    string Title,
    IReadOnlyList<string> PartyAgencyIds,
    IReadOnlyList<(string Source, string Recipient)> Flows,
    IReadOnlyList<string> Purposes,
    IReadOnlyList<string> Categories,
    DateTimeOffset EffectiveFrom,
    DateTimeOffset ExpiresAt,
    bool AllowsEmergencyAccess = false);

/// <summary>
/// A memorandum of understanding between two or more agencies: who may share with whom, for which purposes
/// and categories, between two dates. Draft → pending signature (with its document) → signed by every party
/// (active from its effective date until it expires) or terminated by a party.
/// </summary>
public sealed class Mou
{
    private Mou()
    {
    }

    public Mou(Guid id, MouTerms terms, string createdBy, string createdByAgencyId, DateTimeOffset createdAt)
    {
        Id = id;
        CreatedBy = createdBy;
        CreatedByAgencyId = createdByAgencyId;
        CreatedAt = createdAt;
        State = MouState.Draft;
        Apply(terms);
    }

    public Guid Id { get; private set; }

    public string Title { get; private set; } = "";

    public List<MouParty> Parties { get; private set; } = [];

    public List<MouFlow> Flows { get; private set; } = [];

    public List<string> Purposes { get; private set; } = [];

    public List<string> Categories { get; private set; } = [];

    public DateTimeOffset EffectiveFrom { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>Whether the parties agreed to emergency (break-glass) reads between them.</summary>
    public bool AllowsEmergencyAccess { get; private set; }

    public MouState State { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the uploaded document.</summary>
    public string? DocumentSha256 { get; private set; }

    public string? DocumentContentType { get; private set; }

    public long? DocumentLength { get; private set; }

    public string CreatedBy { get; private set; } = "";

    public string CreatedByAgencyId { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? SubmittedAt { get; private set; }

    public DateTimeOffset? TerminatedAt { get; private set; }

    public string? TerminatedBy { get; private set; }

    public string? TerminatedByAgencyId { get; private set; }

    public string? TerminationReason { get; private set; }

    public bool IsParty(string? agencyId) => agencyId is not null && Parties.Any(p => p.AgencyId == agencyId);

    public MouStatus StatusAt(DateTimeOffset now) => State switch
    {
        MouState.Draft => MouStatus.Draft,
        MouState.PendingSignature => MouStatus.PendingSignature,
        MouState.Terminated => MouStatus.Terminated,
        _ when now >= ExpiresAt => MouStatus.Expired,
        _ when now < EffectiveFrom => MouStatus.Signed,
        _ => MouStatus.Active,
    };

    public void Revise(MouTerms terms)
    {
        EnsureState(MouState.Draft);
        Apply(terms);
    }

    public void AttachDocument(string sha256, string contentType, long length)
    {
        EnsureState(MouState.Draft);
        DocumentSha256 = sha256;
        DocumentContentType = contentType;
        DocumentLength = length;
    }

    public void SubmitForSignature(DateTimeOffset at)
    {
        EnsureState(MouState.Draft);
        if (DocumentSha256 is null)
        {
            throw new InvalidOperationException("An MOU goes for signature with its document.");
        }

        State = MouState.PendingSignature;
        SubmittedAt = at;
    }

    /// <summary>A party signs the document it was shown; the last signature makes the MOU binding.</summary>
    public void Sign(string agencyId, string by, DateTimeOffset at, string documentSha256)
    {
        EnsureState(MouState.PendingSignature);
        var party = Parties.SingleOrDefault(p => p.AgencyId == agencyId)
            ?? throw new InvalidOperationException("Only a party signs.");
        if (party.HasSigned || documentSha256 != DocumentSha256)
        {
            throw new InvalidOperationException("Already signed, or not this document.");
        }

        party.Sign(by, at, documentSha256);
        if (Parties.All(p => p.HasSigned))
        {
            State = MouState.Signed;
        }
    }

    public void Terminate(string agencyId, string by, DateTimeOffset at, string? reason)
    {
        if (!IsParty(agencyId) || StatusAt(at) is MouStatus.Terminated or MouStatus.Expired)
        {
            throw new InvalidOperationException("Only a party ends an MOU that has not ended.");
        }

        State = MouState.Terminated;
        TerminatedAt = at;
        TerminatedBy = by;
        TerminatedByAgencyId = agencyId;
        TerminationReason = reason;
    }

    private void EnsureState(MouState expected)
    {
        if (State != expected)
        {
            throw new InvalidOperationException($"The MOU is {State}, not {expected}.");
        }
    }

    private void Apply(MouTerms terms)
    {
        if (terms.PartyAgencyIds.Distinct(StringComparer.Ordinal).Count() < 2 || terms.ExpiresAt <= terms.EffectiveFrom)
        {
            throw new ArgumentException("Two parties and an expiry after the effective date.", nameof(terms));
        }

        Title = terms.Title;
        Parties = [.. terms.PartyAgencyIds.Distinct(StringComparer.Ordinal).Select(id => new MouParty(id))];
        Flows = [.. terms.Flows.Select(f => new MouFlow(f.Source, f.Recipient))];
        Purposes = [.. terms.Purposes];
        Categories = [.. terms.Categories];
        EffectiveFrom = terms.EffectiveFrom;
        ExpiresAt = terms.ExpiresAt;
        AllowsEmergencyAccess = terms.AllowsEmergencyAccess;
        DocumentSha256 = null;
        DocumentContentType = null;
        DocumentLength = null;
    }
}

/// <summary>The signed document's bytes, kept apart from the MOU row so lists stay small.</summary>
public sealed class MouDocument
{
    private MouDocument()
    {
    }

    public MouDocument(Guid mouId, byte[] content)
    {
        MouId = mouId;
        Content = content;
    }

    public Guid MouId { get; private set; }

    public byte[] Content { get; private set; } = [];
}
