using System.Globalization;
using Consent.Portal.ConsentApi;
using Consent.Portal.Vocabulary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// Exports of the disclosure log with the search's filters: a CSV file, or a FHIR Bundle of AuditEvents. The form posts
/// (a survivor filter stays out of URLs, see LogModel), the portal asks the API for the file as the officer and passes it
/// on as it came; a refused filter is shown beside its field with what was typed kept.
/// </summary>
[ServiceFilter<PurposesOfUseFilter>]
public sealed partial class ExportsModel(ConsentApiClient api, TimeProvider time, ILogger<ExportsModel> logger) : PageModel
{
    public const string Csv = "csv";
    public const string AuditEvents = "audit-events";

    public LogFilters Filters { get; private set; } = new();

    public string Format { get; private set; } = Csv;

    public IReadOnlyList<AgencyView> Agencies { get; private set; } = [];

    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>Why the posted export did not come, when it did not.</summary>
    public ApiStatus? Failed { get; private set; }

    public LogFilterForm Form => new(Filters, Errors, Agencies);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Agencies = (await api.GetAgenciesAsync(cancellationToken)).Value ?? [];

    public async Task<IActionResult> OnPostAsync([FromForm] LogFilters filters, [FromForm] string? format, CancellationToken cancellationToken)
    {
        Filters = filters;
        Format = format == AuditEvents ? AuditEvents : Csv;
        var (query, errors) = filters.ToApiQuery();
        if (errors.Count > 0)
        {
            Errors = errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            var path = Format == AuditEvents ? ComplianceLogApi.AuditEventsExportPath : ComplianceLogApi.CsvExportPath;
            var answer = await api.ExportAsync(path, query, cancellationToken);
            if (answer is { Status: ApiStatus.Ok, Value: { } file })
            {
                LogExported(logger, Format, file.Content.Length);
                return File(file.Content, file.ContentType, file.FileName ?? DefaultName());
            }

            Failed = answer.Status;
            Errors = answer.Problem?.Errors ?? new Dictionary<string, string[]>();
            Response.StatusCode = answer.FailureStatusCode;
        }

        Agencies = (await api.GetAgenciesAsync(cancellationToken)).Value ?? [];
        return Page();
    }

    /// <summary>The API names its CSV file; the FHIR Bundle comes without a name, so it is given one like it.</summary>
    private string DefaultName() =>
        (Format == AuditEvents ? "audit-events-" : "disclosures-") +
        time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) +
        (Format == AuditEvents ? ".json" : ".csv");

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information, Message = "Disclosure log exported from the compliance console as {Format}: {Bytes} bytes")]
    private static partial void LogExported(ILogger logger, string format, int bytes);
}
