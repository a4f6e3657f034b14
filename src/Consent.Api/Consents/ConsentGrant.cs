using System.Text.Json;

namespace Consent.Api.Consents;

public enum ConsentMethod
{
    /// <summary>The survivor, signed in to the portal.</summary>
    Portal,

    /// <summary>Signed on paper in front of an advocate, who records it.</summary>
    WitnessedPaper,

    /// <summary>Said aloud to an advocate: short-lived by rule.</summary>
    Verbal,
}

public enum ConsentStatus
{
    /// <summary>Starts later.</summary>
    Pending,
    Active,
    Revoked,
    Expired,
}

public enum ConsentDecidedBy
{
    Survivor,
    DecisionMaker,
}

/// <summary>Which consent text the survivor was shown: its id, version and language.</summary>
public sealed record ConsentText(string Id, string Version, string Language);

/// <summary>What a grant says. Each version of a grant is a snapshot of these terms.</summary>
public sealed record ConsentTerms(
    string RecipientAgencyId,
    bool AllSources,
    IReadOnlyList<string> SourceAgencyIds,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Purposes,
    DateTimeOffset Start,
    DateTimeOffset End,
    ConsentMethod Method,
    string? Witness,
    ConsentText Text,
    ConsentDecidedBy DecidedBy);

/// <summary>
/// A survivor's consent for one recipient agency to receive named categories of their records, from named
/// source agencies (or all), for named purposes, until a required end. Nothing changes it in place: each
/// change is a method that writes a new version, and the versions are kept.
/// </summary>
public sealed class ConsentGrant
{
    private readonly List<ConsentGrantVersion> versions = [];

    private ConsentGrant()
    {
    }

    private ConsentGrant(Guid id, string survivorId, Guid? requestId)
    {
        Id = id;
        SurvivorId = survivorId;
        RequestId = requestId;
    }

    public Guid Id { get; private set; }

    public string SurvivorId { get; private set; } = "";

    public string RecipientAgencyId { get; private set; } = "";

    public bool AllSources { get; private set; }

    public List<string> SourceAgencyIds { get; private set; } = [];

    public List<string> Categories { get; private set; } = [];

    public List<string> Purposes { get; private set; } = [];

    public DateTimeOffset Start { get; private set; }

    public DateTimeOffset End { get; private set; }

    public ConsentMethod Method { get; private set; }

    public string? Witness { get; private set; }

    public ConsentText Text { get; private set; } = new("", "", "");

    public ConsentDecidedBy DecidedBy { get; private set; }

    /// <summary>The user id (token subject) of whoever recorded the current version.</summary>
    public string RecordedBy { get; private set; } = "";

    public DateTimeOffset RecordedAt { get; private set; }

    public DateTimeOffset GrantedAt { get; private set; }

    public int Version { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public string? RevokedBy { get; private set; }

    /// <summary>The consent request this grant answered, if any.</summary>
    public Guid? RequestId { get; private set; }

    public IReadOnlyList<ConsentGrantVersion> Versions => versions;

    public ConsentTerms Terms => new(RecipientAgencyId, AllSources, SourceAgencyIds, Categories, Purposes, Start, End, Method, Witness, Text, DecidedBy);

    public static ConsentGrant Grant(Guid id, string survivorId, ConsentTerms terms, string recordedBy, DateTimeOffset at, Guid? requestId = null)
    {
        var grant = new ConsentGrant(id, survivorId, requestId) { GrantedAt = at };
        grant.Apply(terms, recordedBy, at, ConsentChange.Granted);
        return grant;
    }

    public ConsentStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? ConsentStatus.Revoked
        : now >= End ? ConsentStatus.Expired
        : now < Start ? ConsentStatus.Pending
        : ConsentStatus.Active;

    /// <summary>Changes the terms of a grant that has not ended; the recipient stays the same.</summary>
    public void Amend(ConsentTerms terms, string recordedBy, DateTimeOffset at)
    {
        EnsureNotEnded(at);
        if (terms.RecipientAgencyId != RecipientAgencyId)
        {
            throw new InvalidOperationException("A grant's recipient cannot change; grant to the other agency instead.");
        }

        Apply(terms, recordedBy, at, ConsentChange.Amended);
    }

    /// <summary>Ends the grant at once: every later read is refused.</summary>
    public void Revoke(string revokedBy, DateTimeOffset at)
    {
        EnsureNotEnded(at);
        RevokedAt = at;
        RevokedBy = revokedBy;
        RecordedBy = revokedBy;
        RecordedAt = at;
        Version++;
        versions.Add(ConsentGrantVersion.Of(this, ConsentChange.Revoked));
    }

    private void EnsureNotEnded(DateTimeOffset at)
    {
        if (StatusAt(at) is ConsentStatus.Revoked or ConsentStatus.Expired)
        {
            throw new InvalidOperationException("The grant has ended.");
        }
    }

    private void Apply(ConsentTerms terms, string recordedBy, DateTimeOffset at, ConsentChange change)
    {
        if (terms.End <= terms.Start)
        {
            throw new ArgumentException("A grant ends after it starts.", nameof(terms));
        }

        RecipientAgencyId = terms.RecipientAgencyId;
        AllSources = terms.AllSources;
        SourceAgencyIds = terms.AllSources ? [] : [.. terms.SourceAgencyIds];
        Categories = [.. terms.Categories];
        Purposes = [.. terms.Purposes];
        Start = terms.Start;
        End = terms.End;
        Method = terms.Method;
        Witness = terms.Witness;
        Text = terms.Text;
        DecidedBy = terms.DecidedBy;
        RecordedBy = recordedBy;
        RecordedAt = at;
        Version++;
        versions.Add(ConsentGrantVersion.Of(this, change));
    }
}

public enum ConsentChange
{
    Granted,
    Amended,
    Revoked,
}

/// <summary>One version of a grant as it stood after a change. Written once, never updated.</summary>
public sealed class ConsentGrantVersion
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private ConsentGrantVersion()
    {
    }

    public long Id { get; private set; }

    public Guid ConsentId { get; private set; }

    public int Version { get; private set; }

    public ConsentChange Change { get; private set; }

    public string RecordedBy { get; private set; } = "";

    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>The terms as JSON: the version stays readable whatever the grant becomes.</summary>
    public string Terms { get; private set; } = "";

    public ConsentTerms ReadTerms() => JsonSerializer.Deserialize<ConsentTerms>(Terms, Json)!;

    internal static ConsentGrantVersion Of(ConsentGrant grant, ConsentChange change) => new()
    {
        ConsentId = grant.Id,
        Version = grant.Version,
        Change = change,
        RecordedBy = grant.RecordedBy,
        RecordedAt = grant.RecordedAt,
        Terms = JsonSerializer.Serialize(grant.Terms, Json),
    };
}
