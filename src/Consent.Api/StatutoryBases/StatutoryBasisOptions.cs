using System.ComponentModel.DataAnnotations;

namespace Consent.Api.StatutoryBases;

/// <summary>Limits on child-protection reports, bound from <c>StatutoryBases</c>.</summary>
public sealed class StatutoryBasisOptions
{
    public const string Section = "StatutoryBases";

    /// <summary>
    /// How far back a report date may lie. A report is filed when it is made; a long window would let a reporter
    /// backdate a case onto someone who has since come of age, or bisect a date of birth.
    /// </summary>
    [Range(1, 365)]
    public int MaxReportAgeDays { get; set; } = 30;
}
