using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.Survivors;

public static class SurvivorsApi
{
    public static WebApplicationBuilder AddSurvivors(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SurvivorAccess>();
        builder.Services.AddScoped<SurvivorService>();
        return builder;
    }

    public static RouteGroupBuilder MapSurvivors(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/survivors").WithTags("Survivors");
        group.MapGet("/", List).WithSummary("Survivors the caller may see: their own record, their agency's, or all for compliance.")
            .WithProblems(ProblemCatalogue.Forbidden);
        group.MapGet("/{survivorId}", Get).WithSummary("One survivor record.").WithProblems(ProblemCatalogue.SurvivorNotFound);
        group.MapPost("/", Enroll).WithSummary("Enrols a survivor at the advocate's agency.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.Forbidden,
                ProblemCatalogue.ReadOnly, ProblemCatalogue.UnsupportedLanguage);
        group.MapPut("/{survivorId}", Update).WithSummary("Updates language, date of birth and lead case manager.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.SurvivorNotFound,
                ProblemCatalogue.ReadOnly, ProblemCatalogue.UnsupportedLanguage);
        group.MapPut("/{survivorId}/decision-maker", SetDecisionMaker).WithSummary("Records who decides for a minor and how that was established.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.SurvivorNotFound,
                ProblemCatalogue.ReadOnly, ProblemCatalogue.Forbidden);
        return group;
    }

    private static async Task<Results<Ok<List<SurvivorView>>, ProblemHttpResult>> List(ApiCaller caller, SurvivorService survivors, CancellationToken ct) =>
        (await survivors.ListAsync(caller, ct)).ToOk();

    private static async Task<Results<Ok<SurvivorView>, ProblemHttpResult>> Get(string survivorId, ApiCaller caller, SurvivorService survivors, CancellationToken ct) =>
        (await survivors.GetAsync(caller, survivorId, ct)).ToOk();

    private static async Task<Results<Created<SurvivorView>, ProblemHttpResult>> Enroll(
        EnrollSurvivor request, ApiCaller caller, SurvivorService survivors, CancellationToken ct) =>
        (await survivors.EnrollAsync(caller, request, ct)).ToCreated(s => $"/api/survivors/{s.Id}");

    private static async Task<Results<Ok<SurvivorView>, ProblemHttpResult>> Update(
        string survivorId, UpdateSurvivor request, ApiCaller caller, SurvivorService survivors, CancellationToken ct) =>
        (await survivors.UpdateAsync(caller, survivorId, request, ct)).ToOk();

    private static async Task<Results<Ok<SurvivorView>, ProblemHttpResult>> SetDecisionMaker(
        string survivorId, DecisionMaker request, ApiCaller caller, SurvivorService survivors, CancellationToken ct) =>
        (await survivors.SetDecisionMakerAsync(caller, survivorId, request, ct)).ToOk();
}
