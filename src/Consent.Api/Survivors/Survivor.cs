using Majority = Consent.Policies.Majority;

namespace Consent.Api.Survivors;

/// <summary>Who decides for a minor, and on what footing.</summary>
public enum DecisionMakerKind
{
    Guardian,
    CustodialAgency,
    Court,
}

/// <summary>
/// The person or body that decides for a minor. <see cref="Reference"/> is a pseudonymous handle or an agency
/// id, never a name; <see cref="EstablishedBy"/> says how the authority was shown (e.g. "court order", "birth certificate").
/// </summary>
public sealed record DecisionMaker(DecisionMakerKind Kind, string Reference, string EstablishedBy, string? AgencyId);

/// <summary>
/// A survivor's record: a pseudonymous id and what the rules need (language, date of birth for minor rules,
/// who decides for a minor). No name is ever stored.
/// </summary>
public sealed class Survivor
{
    public const int AgeOfMajority = Majority.Age;

    private Survivor()
    {
    }

    public Survivor(string id, string enrollingAgencyId, string preferredLanguage, DateOnly? dateOfBirth,
        string? leadCaseManager, string enrolledBy, DateTimeOffset enrolledAt)
    {
        Id = id;
        EnrollingAgencyId = enrollingAgencyId;
        PreferredLanguage = preferredLanguage;
        DateOfBirth = dateOfBirth;
        LeadCaseManager = leadCaseManager;
        EnrolledBy = enrolledBy;
        EnrolledAt = enrolledAt;
    }

    public string Id { get; private set; } = "";

    /// <summary>The agency whose advocates look after this record.</summary>
    public string EnrollingAgencyId { get; private set; } = "";

    public string PreferredLanguage { get; private set; } = "en";

    public DateOnly? DateOfBirth { get; private set; }

    /// <summary>The user id (token subject) of the lead case manager.</summary>
    public string? LeadCaseManager { get; private set; }

    public DecisionMaker? DecisionMaker { get; private set; }

    public string EnrolledBy { get; private set; } = "";

    public DateTimeOffset EnrolledAt { get; private set; }

    public bool IsMinorOn(DateOnly day) => Majority.IsMinorOn(DateOfBirth, day);

    public void Update(string preferredLanguage, DateOnly? dateOfBirth, string? leadCaseManager)
    {
        PreferredLanguage = preferredLanguage;
        DateOfBirth = dateOfBirth;
        LeadCaseManager = leadCaseManager;
    }

    public void SetDecisionMaker(DecisionMaker? decisionMaker) => DecisionMaker = decisionMaker;
}
