namespace Consent.Security.Tests;

/// <summary>
/// Names the fixes for the security findings introduce: one place to align them with the code once they land.
/// </summary>
public static class SecurityNames
{
    /// <summary>The history of an agency's directory entry (finding 2).</summary>
    public static string AgencyChanges(string agencyId) => $"/api/agencies/{agencyId}/changes";

    /// <summary>The per-client request limit of the API (finding 11).</summary>
    public const string ApiPerMinuteSetting = "RateLimits:ClientPerMinute";

    /// <summary>How old a 51A report date may be (finding 1).</summary>
    public const string MaxReportAgeDaysSetting = "StatutoryBases:MaxReportAgeDays";

    public const int MaxReportAgeDays = 30;

    /// <summary>The disclosure log's table in the API's SQLite database (finding 12).</summary>
    public const string DisclosureTable = "DisclosureLog";

    public const string DatabaseFile = "consent.db";

    /// <summary>The field a 51A report date error is reported under.</summary>
    public const string ReportDateField = "reportDate";
}
