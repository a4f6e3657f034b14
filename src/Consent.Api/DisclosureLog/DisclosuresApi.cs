using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.DisclosureLog;

/// <summary>Reading the disclosure log: a survivor's accounting of disclosures, and the compliance officer's search.</summary>
public static class DisclosuresApi
{
    public static RouteGroupBuilder MapDisclosures(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/survivors/{survivorId}/disclosures", ForSurvivor).WithTags("Disclosures")
            .WithSummary("Disclosures made of the survivor's records (permitted reads), newest first: when, to which agency, what kinds of records, why and on what basis.")
            .WithProblems(ProblemCatalogue.SurvivorNotFound, ProblemCatalogue.InvalidRequest);

        var group = app.MapGroup("/api/disclosures").WithTags("Disclosures");
        group.MapGet("/", Search)
            .WithSummary("Every entry of the disclosure log, hashes included, in sequence order; filters and paging for compliance officers.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.Forbidden);
        return group;
    }

    private static async Task<Results<Ok<SurvivorDisclosurePage>, ProblemHttpResult>> ForSurvivor(
        string survivorId, [AsParameters] SurvivorDisclosuresQuery query, HttpRequest request, ApiCaller caller, SurvivorDisclosures disclosures,
        CancellationToken ct) =>
        (await disclosures.ForSurvivorAsync(caller, survivorId, query, request.Query, ct)).ToOk();

    private static async Task<Results<Ok<DisclosureLogPage>, ProblemHttpResult>> Search(
        [AsParameters] DisclosureLogQuery query, HttpRequest request, ApiCaller caller, DisclosureQueries queries, CancellationToken ct) =>
        (await queries.SearchAsync(caller, query, request.Query, ct)).ToOk();
}
