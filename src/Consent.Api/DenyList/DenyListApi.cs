using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.DenyList;

public static class DenyListApi
{
    public static WebApplicationBuilder AddDenyList(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DenyListService>();
        return builder;
    }

    public static RouteGroupBuilder MapDenyList(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/survivors/{survivorId}/deny-list").WithTags("Deny list");
        group.MapGet("/", List).WithSummary("Agencies and staff that must never receive anything about the survivor.")
            .WithProblems(ProblemCatalogue.SurvivorNotFound);
        group.MapPost("/", Add).WithSummary("Names an agency or a member of staff; overrides every grant, MOU and statutory basis.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.SurvivorNotFound,
                ProblemCatalogue.ReadOnly, ProblemCatalogue.UnknownAgency, ProblemCatalogue.DenyEntryExists);
        group.MapDelete("/{entryId}", Remove).WithSummary("Removes an entry (kept in the record as removed).")
            .WithProblems(ProblemCatalogue.SurvivorNotFound, ProblemCatalogue.ReadOnly, ProblemCatalogue.DenyEntryNotFound);
        return group;
    }

    private static async Task<Results<Ok<List<DenyEntryView>>, ProblemHttpResult>> List(
        string survivorId, ApiCaller caller, DenyListService denyList, CancellationToken ct) =>
        (await denyList.ListAsync(caller, survivorId, ct)).ToOk();

    private static async Task<Results<Created<DenyEntryView>, ProblemHttpResult>> Add(
        string survivorId, AddDenyEntry request, ApiCaller caller, DenyListService denyList, CancellationToken ct) =>
        (await denyList.AddAsync(caller, survivorId, request, ct)).ToCreated(e => $"/api/survivors/{survivorId}/deny-list/{e.Id}");

    private static async Task<Results<Ok<DenyEntryView>, ProblemHttpResult>> Remove(
        string survivorId, string entryId, ApiCaller caller, DenyListService denyList, CancellationToken ct) =>
        (await denyList.RemoveAsync(caller, survivorId, entryId, ct)).ToOk();
}
