using Microsoft.Extensions.Options;

namespace Consent.Api.Compliance;

/// <summary>Section <c>Compliance</c>: export sizes, the accounting period, small-cell suppression and the anomaly rules.</summary>
public sealed class ComplianceOptions
{
    public const string Section = "Compliance";

    /// <summary>The least count a statistics cell may show; smaller cells are suppressed. Never below 11.</summary>
    public const int LeastMinimumCellSize = 11;

    /// <summary>Rows of one CSV export at most (the default and the largest <c>limit</c>); the rows are streamed, never held.</summary>
    public int CsvMaximumRows { get; set; } = 1_000_000;

    /// <summary>AuditEvents in one FHIR Bundle at most (the default and the largest <c>limit</c>); the rest follow the <c>next</c> link.</summary>
    public int AuditEventMaximum { get; set; } = 1_000;

    /// <summary>How far back a survivor's accounting of disclosures goes by default (HIPAA §164.528: six years).</summary>
    public int AccountingYears { get; set; } = 6;

    /// <summary>Disclosures in one accounting at most; a longer one says it is truncated and asks for a shorter period.</summary>
    public int AccountingMaximumItems { get; set; } = 5_000;

    /// <summary>Statistics cells with a count below this are suppressed.</summary>
    public int MinimumCellSize { get; set; } = LeastMinimumCellSize;

    /// <summary>Months one statistics request may span.</summary>
    public int StatisticsMaximumMonths { get; set; } = 60;

    public AnomalyRules Anomalies { get; set; } = new();
}

/// <summary>Section <c>Compliance:Anomalies</c>: the thresholds of the anomaly rules (docs/compliance.md).</summary>
public sealed class AnomalyRules
{
    /// <summary>Days of history behind an agency's usual daily rate of distinct survivors read.</summary>
    public int BaselineDays { get; set; } = 30;

    /// <summary>A day is unusual above this many times the agency's median daily rate...</summary>
    public double VolumeMultiplier { get; set; } = 3;

    /// <summary>...and above this many distinct survivors in any case.</summary>
    public int VolumeFloor { get; set; } = 10;

    /// <summary>Denied reads of one survivor by one agency within <see cref="DeniedReadsWindow"/> that raise a flag.</summary>
    public int DeniedReadsThreshold { get; set; } = 5;

    public TimeSpan DeniedReadsWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The longest window one anomalies request may cover.</summary>
    public TimeSpan MaximumWindow { get; set; } = TimeSpan.FromDays(31);

    /// <summary>The window the dashboard counts open flags over (ending now).</summary>
    public TimeSpan DashboardWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Sequence numbers listed per flag at most (the first ones).</summary>
    public int SequencesListed { get; set; } = 10;
}

internal sealed class ComplianceOptionsValidator : IValidateOptions<ComplianceOptions>
{
    public ValidateOptionsResult Validate(string? name, ComplianceOptions options)
    {
        var failures = new List<string>();
        if (options.MinimumCellSize < ComplianceOptions.LeastMinimumCellSize)
        {
            failures.Add($"Compliance:MinimumCellSize must be at least {ComplianceOptions.LeastMinimumCellSize}.");
        }

        if (options.CsvMaximumRows < 1 || options.AuditEventMaximum is < 1 or > 10_000 || options.AccountingMaximumItems < 1)
        {
            failures.Add("Compliance:CsvMaximumRows and AccountingMaximumItems must be positive, AuditEventMaximum 1 to 10000.");
        }

        if (options.AccountingYears is < 1 or > 50 || options.StatisticsMaximumMonths is < 1 or > 240)
        {
            failures.Add("Compliance:AccountingYears must be 1 to 50 and StatisticsMaximumMonths 1 to 240.");
        }

        var rules = options.Anomalies;
        if (rules.BaselineDays is < 1 or > 366 || rules.VolumeMultiplier <= 0 || rules.VolumeFloor < 0 || rules.DeniedReadsThreshold < 2
            || rules.DeniedReadsWindow <= TimeSpan.Zero || rules.MaximumWindow <= TimeSpan.Zero || rules.DashboardWindow <= TimeSpan.Zero
            || rules.DashboardWindow > rules.MaximumWindow || rules.SequencesListed < 1)
        {
            failures.Add("Compliance:Anomalies: baseline 1-366 days, positive multiplier and windows, floor of 0 or more, "
                + "a denied-reads threshold of 2 or more, a dashboard window within the maximum window, at least one sequence listed.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
