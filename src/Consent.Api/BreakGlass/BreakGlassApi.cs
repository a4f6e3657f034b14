using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.BreakGlass;

public static class BreakGlassApi
{
    public static WebApplicationBuilder AddBreakGlass(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<BreakGlassService>();
        return builder;
    }

    public static RouteGroupBuilder MapBreakGlass(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/break-glass").WithTags("Break glass");
        group.MapPost("/", Declare).WithSummary("Declares an emergency access with a mandatory reason; flagged for compliance review.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.Forbidden, ProblemCatalogue.ReadOnly,
                ProblemCatalogue.UnknownPurpose);
        group.MapGet("/", List).WithSummary("Break-glass records: all for compliance (needsReview=true for the queue), the agency's own for its staff.")
            .WithProblems(ProblemCatalogue.Forbidden);
        group.MapGet("/{recordId}", Get).WithSummary("One record.").WithProblems(ProblemCatalogue.BreakGlassNotFound);
        group.MapPost("/{recordId}/review", Review).WithSummary("A compliance officer's review.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.BreakGlassNotFound,
                ProblemCatalogue.Forbidden, ProblemCatalogue.BreakGlassReviewed);
        return group;
    }

    private static async Task<Results<Created<BreakGlassView>, ProblemHttpResult>> Declare(
        DeclareBreakGlass request, ApiCaller caller, BreakGlassService breakGlass, CancellationToken ct) =>
        (await breakGlass.DeclareAsync(caller, request, ct)).ToCreated(r => $"/api/break-glass/{r.Id}");

    private static async Task<Results<Ok<List<BreakGlassView>>, ProblemHttpResult>> List(
        bool? needsReview, ApiCaller caller, BreakGlassService breakGlass, CancellationToken ct) =>
        (await breakGlass.ListAsync(caller, needsReview, ct)).ToOk();

    private static async Task<Results<Ok<BreakGlassView>, ProblemHttpResult>> Get(
        string recordId, ApiCaller caller, BreakGlassService breakGlass, CancellationToken ct) =>
        (await breakGlass.GetAsync(caller, recordId, ct)).ToOk();

    private static async Task<Results<Ok<BreakGlassView>, ProblemHttpResult>> Review(
        string recordId, ReviewBreakGlass request, ApiCaller caller, BreakGlassService breakGlass, CancellationToken ct) =>
        (await breakGlass.ReviewAsync(caller, recordId, request, ct)).ToOk();
}
