using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.StatutoryBases;

public static class StatutoryBasesApi
{
    public static WebApplicationBuilder AddStatutoryBases(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StatutoryBasisOptions>().Bind(builder.Configuration.GetSection(StatutoryBasisOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<StatutoryBasisService>();
        return builder;
    }

    public static RouteGroupBuilder MapStatutoryBases(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/survivors/{survivorId}/statutory-bases").WithTags("Statutory bases");
        group.MapGet("/", List).WithSummary("The survivor's child-protection (51A) cases.").WithProblems(ProblemCatalogue.SurvivorNotFound);
        group.MapGet("/{basisId}", Get).WithSummary("One case.").WithProblems(ProblemCatalogue.StatutoryBasisNotFound);
        group.MapPost("/", File).WithSummary("Files a child-protection report for a minor (under 18 at the report date) with the involved agencies. "
                + "A caller who may not file for the survivor gets the not-found answer before any other check.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.SurvivorNotFound, ProblemCatalogue.ReadOnly,
                ProblemCatalogue.Forbidden, ProblemCatalogue.DateOfBirthRequired, ProblemCatalogue.NotAMinor, ProblemCatalogue.UnknownAgency);
        group.MapPost("/{basisId}/close", Close).WithSummary("Closes the case: the basis ends for every later read.")
            .WithProblems(ProblemCatalogue.MalformedRequest, ProblemCatalogue.StatutoryBasisNotFound, ProblemCatalogue.ReadOnly, ProblemCatalogue.Forbidden,
                ProblemCatalogue.StatutoryBasisClosed);
        return group;
    }

    private static async Task<Results<Ok<List<StatutoryBasisView>>, ProblemHttpResult>> List(
        string survivorId, ApiCaller caller, StatutoryBasisService bases, CancellationToken ct) =>
        (await bases.ListAsync(caller, survivorId, ct)).ToOk();

    private static async Task<Results<Ok<StatutoryBasisView>, ProblemHttpResult>> Get(
        string survivorId, string basisId, ApiCaller caller, StatutoryBasisService bases, CancellationToken ct) =>
        (await bases.GetAsync(caller, survivorId, basisId, ct)).ToOk();

    private static async Task<Results<Created<StatutoryBasisView>, ProblemHttpResult>> File(
        string survivorId, FileReport request, ApiCaller caller, StatutoryBasisService bases, CancellationToken ct) =>
        (await bases.FileAsync(caller, survivorId, request, ct)).ToCreated(b => $"/api/survivors/{survivorId}/statutory-bases/{b.Id}");

    private static async Task<Results<Ok<StatutoryBasisView>, ProblemHttpResult>> Close(
        string survivorId, string basisId, CloseCase request, ApiCaller caller, StatutoryBasisService bases, CancellationToken ct) =>
        (await bases.CloseAsync(caller, survivorId, basisId, request, ct)).ToOk();
}
