using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.Agencies;

public static class AgenciesApi
{
    public static WebApplicationBuilder AddAgencies(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AgencyService>();
        return builder;
    }

    public static RouteGroupBuilder MapAgencies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agencies").WithTags("Agencies");
        group.MapGet("/", List).WithSummary("The agencies directory.").WithProblems();
        group.MapGet("/{agencyId}", Get).WithSummary("One agency.").WithProblems(ProblemCatalogue.AgencyNotFound);
        group.MapPost("/", Create).WithSummary("Adds an agency (platform admins).")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.Forbidden, ProblemCatalogue.AgencyExists);
        group.MapPut("/{agencyId}", Update)
            .WithSummary("Edits an agency: its own agency admins edit its description; its type and status only platform admins change, and each such change is recorded.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.Forbidden, ProblemCatalogue.PlatformAdminOnly,
                ProblemCatalogue.AgencyNotFound);
        group.MapGet("/{agencyId}/changes", Changes).WithSummary("The recorded changes of the agency's type and status (platform admins, compliance).")
            .WithProblems(ProblemCatalogue.Forbidden, ProblemCatalogue.AgencyNotFound);
        return group;
    }

    private static async Task<Ok<List<AgencyView>>> List(AgencyService agencies, CancellationToken ct) =>
        TypedResults.Ok(await agencies.ListAsync(ct));

    private static async Task<Results<Ok<AgencyView>, ProblemHttpResult>> Get(string agencyId, AgencyService agencies, CancellationToken ct) =>
        (await agencies.GetAsync(agencyId, ct)).ToOk();

    private static async Task<Results<Ok<List<AgencyChangeView>>, ProblemHttpResult>> Changes(
        string agencyId, ApiCaller caller, AgencyService agencies, CancellationToken ct) =>
        (await agencies.ChangesAsync(caller, agencyId, ct)).ToOk();

    private static async Task<Results<Created<AgencyView>, ProblemHttpResult>> Create(
        CreateAgency request, ApiCaller caller, AgencyService agencies, CancellationToken ct) =>
        (await agencies.CreateAsync(caller, request, ct)).ToCreated(a => $"/api/agencies/{a.Id}");

    private static async Task<Results<Ok<AgencyView>, ProblemHttpResult>> Update(
        string agencyId, UpdateAgency request, ApiCaller caller, AgencyService agencies, CancellationToken ct) =>
        (await agencies.UpdateAsync(caller, agencyId, request, ct)).ToOk();
}
