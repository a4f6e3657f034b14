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

    /// <summary>Why the tree head asked for was not signed, if it was not.</summary>
    public ApiAnswer<TreeHeadView>? SignFailed { get; private set; }

    /// <summary>A tree head was signed just before this page (the redirect after the form).</summary>
    public bool Signed { get; private set; }

    public async Task OnGetAsync(string? signed, CancellationToken cancellationToken)
    {
        Signed = signed == "1";
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
        Response.StatusCode = answer.FailureStatusCode;
        return Page();
    }

    /// <summary>
    /// Has the API bring every committed entry into the tree and sign a head over it now (it signs one a minute on its own),
    /// so that an audit can start from a head that covers the latest entries.
    /// </summary>
    public async Task<IActionResult> OnPostSignAsync(CancellationToken cancellationToken)
    {
        var answer = await api.SignTreeHeadAsync(cancellationToken);
        if (answer is { Status: ApiStatus.Ok, Value: { } head })
        {
            LogSigned(logger, head.TreeSize);
            return RedirectToPage(null, null, new { signed = "1" }, "head-title");
        }

        SignFailed = answer;
        await LoadAsync(cancellationToken);
        Response.StatusCode = answer.FailureStatusCode;
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

    [LoggerMessage(EventId = 3404, Level = LogLevel.Information, Message = "Tree head signed from the compliance console over {TreeSize} entries")]
    private static partial void LogSigned(ILogger logger, long treeSize);
}
