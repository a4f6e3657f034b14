using System.Text.Json;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// The disclosure log's integrity: the latest signed tree head, and a form that has the API check the whole log now
/// (entries rehashed, the tree recomputed, every stored tree head's signature checked). The check's report is kept for
/// the page after the redirect (TempData, in the portal's encrypted cookie: counts, sequence numbers and hashes only);
/// without it the page shows the API's summary of the last check.
/// </summary>
public sealed partial class IntegrityModel(ConsentApiClient api, ILogger<IntegrityModel> logger) : PageModel
{
    private const string ReportKey = "compliance.log-check";

    public ApiAnswer<TreeHeadView> Head { get; private set; } = ApiAnswer<TreeHeadView>.Unavailable;

    /// <summary>The check just run (after the redirect), if any.</summary>
    public LogVerificationReport? Report { get; private set; }

    /// <summary>The API's summary of its last check, when no report was just run.</summary>
    public LastLogVerification? LastCheck { get; private set; }

    /// <summary>Why the check just posted did not run, if it did not.</summary>
    public ApiAnswer<LogVerificationReport>? CheckFailed { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (TempData[ReportKey] is string json)
        {
            Report = JsonSerializer.Deserialize<LogVerificationReport>(json, ConsentApiClient.ApiJson);
        }

        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancellationToken)
    {
        var answer = await api.VerifyLogAsync(cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } report })
        {
            LogChecked(logger, report.Holds, report.LogSize, report.FailureCount);
            TempData[ReportKey] = JsonSerializer.Serialize(report, ConsentApiClient.ApiJson);
            return RedirectToPage(null, null, null, "result");
        }

        CheckFailed = answer;
        await LoadAsync(cancellationToken);
        Response.StatusCode = answer.Status switch
        {
            ApiStatus.Refused => answer.Problem!.Status,
            ApiStatus.SignInAgain => StatusCodes.Status200OK,
            _ => StatusCodes.Status503ServiceUnavailable,
        };
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var dashboard = Report is null ? api.GetComplianceDashboardAsync(cancellationToken) : null;
        Head = await api.GetTreeHeadAsync(cancellationToken);
        if (dashboard is not null)
        {
            LastCheck = (await dashboard).Value?.LastLogVerification;
        }
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Disclosure log check run from the compliance console: holds {Holds}, {LogSize} entries, {FailureCount} failures")]
    private static partial void LogChecked(ILogger logger, bool holds, long logSize, long failureCount);
}
