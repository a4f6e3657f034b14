using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.Fhir;

/// <summary>
/// Every error /fhir answers, as an <c>OperationOutcome</c>. Texts never echo ids or record contents, so that a record
/// that is withheld, one that was never consented to and one that does not exist give the same answer.
/// </summary>
public static class FhirOutcomes
{
    /// <summary>The one answer for a record that is not there for this caller, whatever the reason.</summary>
    public static IResult NotFound() => Result(404, OperationOutcome.IssueType.NotFound, "No such resource.");

    public static IResult UnknownType() => Result(404, OperationOutcome.IssueType.NotSupported, "This server does not hold resources of this type.");

    public static IResult Invalid(string diagnostics) => Result(400, OperationOutcome.IssueType.Invalid, diagnostics);

    public static IResult Structure(IEnumerable<string> problems) =>
        Result(400, [.. problems.Take(20).Select(p => Issue(OperationOutcome.IssueType.Structure, p))]);

    public static IResult Unprocessable(string diagnostics) => Result(422, OperationOutcome.IssueType.Processing, diagnostics);

    public static IResult Forbidden(string diagnostics) => Result(403, OperationOutcome.IssueType.Forbidden, diagnostics);

    public static IResult Conflict(string diagnostics) => Result(409, OperationOutcome.IssueType.Conflict, diagnostics);

    public static IResult PreconditionFailed(string diagnostics) => Result(412, OperationOutcome.IssueType.Conflict, diagnostics);

    public static IResult UnsupportedMediaType() =>
        Result(415, OperationOutcome.IssueType.NotSupported, "Send the resource as application/fhir+json.");

    public static IResult NotAcceptable() =>
        Result(406, OperationOutcome.IssueType.NotSupported, "This server answers application/fhir+json only.");

    public static IResult TooLarge(long limit) =>
        Result(413, OperationOutcome.IssueType.TooLong, $"The request body is too large; send at most {limit} bytes.");

    /// <summary>Nothing was disclosed because the disclosure could not be recorded.</summary>
    public static IResult LogUnavailable() =>
        Result(503, OperationOutcome.IssueType.Transient, "The disclosure could not be recorded, so nothing was disclosed; try again later.");

    public static OperationOutcome.IssueType IssueTypeFor(int status) => status switch
    {
        400 => OperationOutcome.IssueType.Invalid,
        401 => OperationOutcome.IssueType.Login,
        403 => OperationOutcome.IssueType.Forbidden,
        404 => OperationOutcome.IssueType.NotFound,
        405 or 406 or 415 => OperationOutcome.IssueType.NotSupported,
        409 or 412 => OperationOutcome.IssueType.Conflict,
        413 => OperationOutcome.IssueType.TooLong,
        422 => OperationOutcome.IssueType.Processing,
        429 => OperationOutcome.IssueType.Throttled,
        503 => OperationOutcome.IssueType.Transient,
        _ => OperationOutcome.IssueType.Exception,
    };

    public static OperationOutcome Outcome(OperationOutcome.IssueType type, string diagnostics) => new() { Issue = [Issue(type, diagnostics)] };

    private static OperationOutcome.IssueComponent Issue(OperationOutcome.IssueType type, string diagnostics) => new()
    {
        Severity = OperationOutcome.IssueSeverity.Error,
        Code = type,
        Diagnostics = diagnostics,
    };

    public static IResult Result(int status, OperationOutcome.IssueType type, string diagnostics) => Result(status, [Issue(type, diagnostics)]);

    private static ContentHttpResult Result(int status, List<OperationOutcome.IssueComponent> issues) =>
        TypedResults.Content(FhirModel.Serialize(new OperationOutcome { Issue = issues }), FhirModel.ContentType, statusCode: status);
}

/// <summary>
/// Makes every ProblemDetails the host writes on /fhir (401 from token validation, 413 from the size limit, 500 from
/// the exception handler, status code pages) an OperationOutcome instead.
/// </summary>
internal sealed class FhirProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => FhirPath.Is(context.HttpContext.Request.Path);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        var text = status >= 500 && status != 503 ? "The server could not answer this request." : context.ProblemDetails.Title ?? "The request failed.";
        if (status == 413 && context.ProblemDetails.Detail is { } detail)
        {
            text += " " + detail;
        }

        var outcome = FhirOutcomes.Outcome(FhirOutcomes.IssueTypeFor(status), text);
        context.HttpContext.Response.ContentType = FhirModel.ContentType;
        return new ValueTask(context.HttpContext.Response.WriteAsync(FhirModel.Serialize(outcome)));
    }
}

internal static class FhirPath
{
    public static readonly PathString Root = "/fhir";

    public static bool Is(PathString path) => path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase);
}
