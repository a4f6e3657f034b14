using Consent.Portal.ConsentApi;

namespace Consent.Portal.Pages.Advocate;

/// <summary>What the case-manager pages log (events 3300–3399): ids and outcomes only, never anything about the person.</summary>
internal static partial class AdvocateLog
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "Advocate {Action} for survivor {SurvivorId} not done: {Status} {ProblemType}")]
    public static partial void Refused(ILogger logger, string action, string survivorId, ApiStatus status, string problemType);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Advocate enrolled survivor {SurvivorId}")]
    public static partial void Enrolled(ILogger logger, string survivorId);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Advocate enrolment not done: {Status} {ProblemType}")]
    public static partial void EnrolRefused(ILogger logger, ApiStatus status, string problemType);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Information, Message = "Advocate set the decision-maker of survivor {SurvivorId}")]
    public static partial void DecisionMakerSet(ILogger logger, string survivorId);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Information, Message = "Advocate recorded consent {ConsentId} of survivor {SurvivorId}")]
    public static partial void ConsentRecorded(ILogger logger, Guid consentId, string survivorId);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Information, Message = "Advocate answered consent request {RequestId} of survivor {SurvivorId}: {State}")]
    public static partial void RequestAnswered(ILogger logger, Guid requestId, string survivorId, string state);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Information, Message = "Advocate filed child-protection case {CaseId} for survivor {SurvivorId}")]
    public static partial void ReportFiled(ILogger logger, Guid caseId, string survivorId);

    [LoggerMessage(EventId = 3307, Level = LogLevel.Information, Message = "Advocate closed child-protection case {CaseId} of survivor {SurvivorId}")]
    public static partial void CaseClosed(ILogger logger, Guid caseId, string survivorId);
}
