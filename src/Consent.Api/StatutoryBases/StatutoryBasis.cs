using Consent.Api.Survivors;

namespace Consent.Api.StatutoryBases;

/// <summary>What an agency does on a child-protection case.</summary>
public enum InvolvedRole
{
    LawEnforcement,
    ChildProtection,
    Therapist,
    MedicalProvider,
}

/// <summary>Who filed the report, in the terms of the child-protection statute.</summary>
public enum ReporterRole
{
    Advocate,
    ChildProtectionWorker,
    MandatedReporter,
}

public sealed class InvolvedAgency
{
    private InvolvedAgency()
    {
    }

    public InvolvedAgency(string agencyId, InvolvedRole role)
    {
        AgencyId = agencyId;
        Role = role;
    }

    public string AgencyId { get; private set; } = "";

    public InvolvedRole Role { get; private set; }
}

/// <summary>
/// A child-protection (51A-style) report filed for a minor. While the case is open, the involved agencies may
/// share the minor's information for child protection without the minor's consent; closing the case ends that.
/// </summary>
public sealed class StatutoryBasis
{
    public const string ChildProtectionReport = "51A";
    /// <summary>The purpose of use an open case allows (stored and sent to the policy as its code).</summary>
    public const string Purpose = Consent.Policies.PurposesOfUse.ChildProtection;

    private StatutoryBasis()
    {
    }

    public StatutoryBasis(Guid id, string survivorId, string reporterAgencyId, string reportedBy, ReporterRole reporterRole,
        DateOnly reportDate, string caseNumber, IEnumerable<InvolvedAgency> involved, DecisionMaker? decisionMaker, DateTimeOffset openedAt)
    {
        Id = id;
        SurvivorId = survivorId;
        ReporterAgencyId = reporterAgencyId;
        ReportedBy = reportedBy;
        ReporterRole = reporterRole;
        ReportDate = reportDate;
        CaseNumber = caseNumber;
        InvolvedAgencies = [.. involved];
        DecisionMaker = decisionMaker;
        OpenedAt = openedAt;
    }

    public Guid Id { get; private set; }

    public string Kind { get; private set; } = ChildProtectionReport;

    public string SurvivorId { get; private set; } = "";

    public string ReporterAgencyId { get; private set; } = "";

    public string ReportedBy { get; private set; } = "";

    public ReporterRole ReporterRole { get; private set; }

    public DateOnly ReportDate { get; private set; }

    public string CaseNumber { get; private set; } = "";

    public List<InvolvedAgency> InvolvedAgencies { get; private set; } = [];

    /// <summary>Who decided for the minor when the report was filed.</summary>
    public DecisionMaker? DecisionMaker { get; private set; }

    public DateTimeOffset OpenedAt { get; private set; }

    public DateTimeOffset? ClosedAt { get; private set; }

    public string? ClosedBy { get; private set; }

    public string? CloseReason { get; private set; }

    public bool IsOpen => ClosedAt is null;

    public void Close(string by, DateTimeOffset at, string? reason)
    {
        if (!IsOpen)
        {
            throw new InvalidOperationException("The case is already closed.");
        }

        ClosedAt = at;
        ClosedBy = by;
        CloseReason = reason;
    }
}
