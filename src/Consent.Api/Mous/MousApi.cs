using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.Mous;

public static class MousApi
{
    public static WebApplicationBuilder AddMous(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<MouService>();
        return builder;
    }

    public static RouteGroupBuilder MapMous(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/mous").WithTags("MOUs");
        group.MapGet("/", List).WithSummary("MOUs of the caller's agency (all of them for compliance and platform admins).")
            .WithProblems(ProblemCatalogue.Forbidden);
        group.MapGet("/{mouId}", Get).WithSummary("One MOU.").WithProblems(ProblemCatalogue.MouNotFound);
        var termsProblems = new[]
        {
            ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.Forbidden, ProblemCatalogue.ReadOnly,
            ProblemCatalogue.MouNeedsTwoParties, ProblemCatalogue.MouNotAParty, ProblemCatalogue.UnknownAgency, ProblemCatalogue.MouFlowOutsideParties,
            ProblemCatalogue.UnknownCategory, ProblemCatalogue.UnknownPurpose, ProblemCatalogue.EndBeforeStart,
        };
        group.MapPost("/", Draft).WithSummary("Drafts an MOU (agency admins; their agency must be a party).").WithProblems(termsProblems);
        group.MapPut("/{mouId}", Revise).WithSummary("Revises a draft; its document must be uploaded again.")
            .WithProblems([.. termsProblems, ProblemCatalogue.MouNotFound, ProblemCatalogue.MouNotEditable]);
        group.MapPut("/{mouId}/document", AttachDocument)
            .WithSummary("Uploads the MOU document (PDF or octet-stream body); its SHA-256 is stored with it.")
            .WithProblems(ProblemCatalogue.MouNotFound, ProblemCatalogue.Forbidden, ProblemCatalogue.MouNotEditable,
                ProblemCatalogue.UnsupportedMediaType, ProblemCatalogue.EmptyDocument, ProblemCatalogue.RequestTooLarge)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The body is read as it comes (the service checks its media type), so no binding documents it.
                operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                {
                    Required = true,
                    Content = MouService.DocumentTypes.ToDictionary(type => type, _ => new Microsoft.OpenApi.OpenApiMediaType
                    {
                        Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String, Format = "binary" },
                    }),
                };
                return Task.CompletedTask;
            });
        group.MapGet("/{mouId}/document", Document).WithSummary("The uploaded document, with its SHA-256 in the ETag.")
            .Produces(StatusCodes.Status200OK, null, MouService.DocumentTypes[0], MouService.DocumentTypes[1])
            .WithProblems(ProblemCatalogue.MouNotFound, ProblemCatalogue.MouDocumentMissing);
        group.MapPost("/{mouId}/submit", Submit).WithSummary("Sends a draft with its document for signature.")
            .WithProblems(ProblemCatalogue.MouNotFound, ProblemCatalogue.Forbidden, ProblemCatalogue.MouNotEditable, ProblemCatalogue.MouDocumentMissing);
        group.MapPost("/{mouId}/sign", Sign).WithSummary("Signs for the caller's agency the document with the given SHA-256; the last signature activates the MOU.")
            .WithProblems(ProblemCatalogue.MalformedRequest, ProblemCatalogue.MouNotFound, ProblemCatalogue.Forbidden, ProblemCatalogue.MouNotPendingSignature,
                ProblemCatalogue.MouAlreadySigned, ProblemCatalogue.MouDocumentMismatch, ProblemCatalogue.MouAlreadyEnded);
        group.MapPost("/{mouId}/terminate", Terminate).WithSummary("Ends the MOU for every party.")
            .WithProblems(ProblemCatalogue.MalformedRequest, ProblemCatalogue.MouNotFound, ProblemCatalogue.Forbidden, ProblemCatalogue.MouAlreadyEnded);
        return group;
    }

    private static async Task<Results<Ok<List<MouView>>, ProblemHttpResult>> List(ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.ListAsync(caller, ct)).ToOk();

    private static async Task<Results<Ok<MouView>, ProblemHttpResult>> Get(string mouId, ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.GetAsync(caller, mouId, ct)).ToOk();

    private static async Task<Results<Created<MouView>, ProblemHttpResult>> Draft(DraftMou request, ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.DraftAsync(caller, request, ct)).ToCreated(m => $"/api/mous/{m.Id}");

    private static async Task<Results<Ok<MouView>, ProblemHttpResult>> Revise(
        string mouId, DraftMou request, ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.ReviseAsync(caller, mouId, request, ct)).ToOk();

    private static async Task<Results<Ok<MouView>, ProblemHttpResult>> AttachDocument(
        string mouId, HttpRequest request, ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.AttachDocumentAsync(caller, mouId, request.ContentType, request.Body, ct)).ToOk();

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Document(
        string mouId, ApiCaller caller, MouService mous, CancellationToken ct)
    {
        var outcome = await mous.DocumentAsync(caller, mouId, ct);
        if (outcome.Problem is { } problem)
        {
            return problem.ToResult();
        }

        var (content, contentType, sha256) = outcome.Value;
        return TypedResults.File(content, contentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{sha256}\""));
    }

    private static async Task<Results<Ok<MouView>, ProblemHttpResult>> Submit(string mouId, ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.SubmitAsync(caller, mouId, ct)).ToOk();

    private static async Task<Results<Ok<MouView>, ProblemHttpResult>> Sign(
        string mouId, SignMou request, ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.SignAsync(caller, mouId, request, ct)).ToOk();

    private static async Task<Results<Ok<MouView>, ProblemHttpResult>> Terminate(
        string mouId, TerminateMou request, ApiCaller caller, MouService mous, CancellationToken ct) =>
        (await mous.TerminateAsync(caller, mouId, request, ct)).ToOk();
}
