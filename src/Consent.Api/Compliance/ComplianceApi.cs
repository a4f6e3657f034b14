using System.Text;
using Consent.Api.Caller;
using Consent.Api.DisclosureLog;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Consent.Api.Compliance;

/// <summary>
/// The compliance review of the disclosure log: the dashboard, exports, anomaly flags and program statistics (compliance
/// officers only), and the survivor's accounting of disclosures (the survivor, the enrolling agency's advocates, compliance).
/// </summary>
public static class ComplianceApi
{
    public static WebApplicationBuilder AddCompliance(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ComplianceOptions>().Bind(builder.Configuration.GetSection(ComplianceOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ComplianceOptions>, ComplianceOptionsValidator>();
        builder.Services.AddScoped<DisclosureExports>();
        builder.Services.AddScoped<Anomalies>();
        builder.Services.AddScoped<Dashboard>();
        builder.Services.AddScoped<Statistics>();
        builder.Services.AddScoped<Accounting>();
        return builder;
    }

    public static RouteGroupBuilder MapCompliance(this IEndpointRouteBuilder app)
    {
        var accounting = app.MapGroup("/api/survivors/{survivorId}").WithTags("Accounting of disclosures");
        accounting.MapGet("/accounting", Accounting)
            .WithSummary("The survivor's accounting of disclosures (HIPAA §164.528) in their language: when, to whom, what, why; the last six years by default.")
            .WithProblems(ProblemCatalogue.SurvivorNotFound, ProblemCatalogue.InvalidRequest);
        accounting.MapGet("/accounting.txt", AccountingText)
            .WithSummary("The same accounting as plain text, to print.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .WithProblems(ProblemCatalogue.SurvivorNotFound, ProblemCatalogue.InvalidRequest);

        var group = app.MapGroup("/api/compliance").WithTags("Compliance");
        group.MapGet("/dashboard", Dashboard)
            .WithSummary("Break-glass records waiting for review (and the oldest's age), review outcomes, open anomaly flags, recent log activity.")
            .WithProblems(ProblemCatalogue.Forbidden);
        group.MapGet("/exports/disclosures.csv", Csv)
            .WithSummary("The filtered log as a CSV file (RFC 4180, UTF-8, formula-safe), streamed; the filters of GET /api/disclosures.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.Forbidden);
        group.MapGet("/exports/audit-events", AuditEvents)
            .WithSummary("The filtered log as a FHIR R4 Bundle of IHE BALP AuditEvents, at most Compliance:AuditEventMaximum per Bundle with a next link.")
            .Produces(StatusCodes.Status200OK, contentType: Fhir.FhirModel.ContentType)
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.Forbidden);
        group.MapGet("/anomalies", AnomalyFlags)
            .WithSummary("Anomaly flags computed from the log over a window (default the last 24 hours): unusual volume, purposes outside MOUs, repeated denials.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.Forbidden);
        group.MapGet("/statistics", StatisticsJson)
            .WithSummary("De-identified counts of disclosures and consent grants per agency type, purpose and month, small cells suppressed.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.Forbidden);
        group.MapGet("/statistics.csv", StatisticsCsv)
            .WithSummary("The same statistics as CSV.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.Forbidden);
        return group;
    }

    private static async Task<Results<Ok<AccountingView>, ProblemHttpResult>> Accounting(
        string survivorId, [AsParameters] AccountingQuery query, HttpRequest request, ApiCaller caller, Accounting accounting, CancellationToken ct) =>
        (await accounting.ForSurvivorAsync(caller, survivorId, query, request.Query, ct)).ToOk();

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> AccountingText(
        string survivorId, [AsParameters] AccountingQuery query, HttpRequest request, ApiCaller caller, Accounting accounting, CancellationToken ct)
    {
        var outcome = await accounting.ForSurvivorAsync(caller, survivorId, query, request.Query, ct);
        return outcome.Problem is { } problem
            ? problem.ToResult()
            : TypedResults.Text(Compliance.Accounting.ToText(outcome.Value!), "text/plain; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<Results<Ok<DashboardView>, ProblemHttpResult>> Dashboard(
        HttpRequest request, ApiCaller caller, Dashboard dashboard, CancellationToken ct) =>
        (await dashboard.ReadAsync(caller, request.Query, ct)).ToOk();

    private static async Task<IResult> Csv(
        [AsParameters] DisclosureLogQuery query, HttpRequest request, ApiCaller caller, DisclosureExports exports, CancellationToken ct)
    {
        var outcome = await exports.CsvAsync(caller, query, request.Query, ct);
        return outcome.Problem is { } problem ? problem.ToResult() : outcome.Value!;
    }

    private static async Task<IResult> AuditEvents(
        [AsParameters] DisclosureLogQuery query, HttpRequest request, ApiCaller caller, DisclosureExports exports, CancellationToken ct)
    {
        var outcome = await exports.AuditEventsAsync(caller, query, request.Query, ct);
        return outcome.Problem is { } problem ? problem.ToResult() : outcome.Value!;
    }

    private static async Task<Results<Ok<AnomalyReport>, ProblemHttpResult>> AnomalyFlags(
        [AsParameters] AnomaliesQuery query, HttpRequest request, ApiCaller caller, Anomalies anomalies, CancellationToken ct) =>
        (await anomalies.ReportAsync(caller, query, request.Query, ct)).ToOk();

    private static async Task<Results<Ok<StatisticsReport>, ProblemHttpResult>> StatisticsJson(
        [AsParameters] StatisticsQuery query, HttpRequest request, ApiCaller caller, Statistics statistics, CancellationToken ct) =>
        (await statistics.ReportAsync(caller, query, request.Query, ct)).ToOk();

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> StatisticsCsv(
        [AsParameters] StatisticsQuery query, HttpRequest request, ApiCaller caller, Statistics statistics, CancellationToken ct)
    {
        var outcome = await statistics.ReportAsync(caller, query, request.Query, ct);
        if (outcome.Problem is { } problem)
        {
            return problem.ToResult();
        }

        request.HttpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"statistics-{outcome.Value!.From}-{outcome.Value.To}.csv\"";
        return TypedResults.Text(Compliance.Statistics.ToCsv(outcome.Value), Compliance.Csv.ContentType, Compliance.Csv.Encoding);
    }
}
