using System.Globalization;
using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// Files a child-protection (51A) report for a minor: who reports, the report date, the case number and the agencies on
/// the case with what each does there. While the case is open those agencies may share the minor's information for the
/// child's protection; closing it (on the survivor's page) ends that. The API decides who may file and for whom.
/// </summary>
public sealed class ReportModel(ConsentApiClient api, IStringLocalizer<AdvocateStrings> text, ILogger<ReportModel> logger, TimeProvider time)
    : SurvivorPageModel(api, text, logger)
{
    private static readonly Dictionary<string, string> FieldOfType = new(StringComparer.Ordinal)
    {
        ["not-a-minor"] = "reportDate",
        ["unknown-agency"] = "involvedAgencies",
    };

    public ReportForm Form { get; private set; } = new();

    public async Task OnGetAsync(string survivorId, CancellationToken cancellationToken)
    {
        Form = new ReportForm { ReportDate = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        await LoadSurvivorAsync(survivorId, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(string survivorId, [FromForm] ReportForm form, CancellationToken cancellationToken)
    {
        SurvivorId = survivorId;
        Form = form;
        DateOnly? reportDate = null;
        if (!string.IsNullOrWhiteSpace(form.ReportDate))
        {
            if (!DateOnly.TryParseExact(form.ReportDate.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return await ShowAgainAsync(survivorId, ApiStatus.Refused,
                    new ApiProblem(400, "invalid-request", new Dictionary<string, string[]> { ["reportDate"] = [""] }), cancellationToken);
            }

            reportDate = day;
        }

        // Each role of the form with an agency chosen is one involved agency; roles left empty are not on the case.
        var involved = AdvocateDisplay.InvolvedRoles
            .Select(role => (Role: role, AgencyId: form.AgencyFor(role)))
            .Where(pair => pair.AgencyId is not null)
            .Select(pair => new InvolvedAgencyBody(pair.AgencyId!, pair.Role))
            .ToList();
        var answer = await Api.FileReportAsync(survivorId, new FileReportBody(
            AdvocateDisplay.ReporterRoles.Contains(form.ReporterRole ?? "") ? form.ReporterRole : null,
            reportDate,
            string.IsNullOrWhiteSpace(form.CaseNumber) ? null : form.CaseNumber.Trim(),
            involved), cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } basis })
        {
            AdvocateLog.ReportFiled(Logger, basis.Id, survivorId);
            return BackToSurvivor("report");
        }

        LogNotDone("51A report", answer.Status, answer.Problem);
        return await ShowAgainAsync(survivorId, answer.Status, answer.Problem, cancellationToken);
    }

    private async Task<IActionResult> ShowAgainAsync(string survivorId, ApiStatus status, ApiProblem? problem, CancellationToken cancellationToken)
    {
        await LoadSurvivorAsync(survivorId, cancellationToken);
        return NotDonePage(status, problem, refused => AdvocateRefusal.Of(refused, Text, FieldOfType));
    }

    public sealed class ReportForm
    {
        public string? ReporterRole { get; set; } = "advocate";

        /// <summary>As the date field sends it (<c>yyyy-MM-dd</c>).</summary>
        public string? ReportDate { get; set; }

        public string? CaseNumber { get; set; }

        /// <summary>The agency chosen for each role on the case (<c>child-protection</c>, <c>law-enforcement</c>, ...).</summary>
        public Dictionary<string, string?> Involved { get; set; } = new(StringComparer.Ordinal);

        public string? AgencyFor(string role) => Involved.GetValueOrDefault(role) is { Length: > 0 } agency ? agency : null;
    }
}
