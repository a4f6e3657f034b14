using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Consent.Api.Caller;
using Consent.Api.Problems;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.Consents;

public static class ConsentsApi
{
    public static WebApplicationBuilder AddConsents(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsentOptions>().BindConfiguration(ConsentOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConsentOptions>, ConsentOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ConsentService>();
        builder.Services.AddScoped<ConsentExport>();
        return builder;
    }

    public static RouteGroupBuilder MapConsents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/survivors/{survivorId}/consents").WithTags("Consents");
        group.MapGet("/", List).WithSummary("The survivor's consent grants with their status now.")
            .WithProblems(ProblemCatalogue.SurvivorNotFound);
        group.MapGet("/{consentId}", Get).WithSummary("One grant.").WithProblems(ProblemCatalogue.ConsentNotFound);
        group.MapGet("/{consentId}/history", History).WithSummary("Every version of a grant, oldest first.")
            .WithProblems(ProblemCatalogue.ConsentNotFound);
        group.MapGet("/{consentId}/fhir", Fhir).WithSummary("The grant as an HL7 FHIR R4 Consent resource.")
            .Produces(StatusCodes.Status200OK, contentType: "application/fhir+json")
            .WithProblems(ProblemCatalogue.ConsentNotFound);
        var grantProblems = new[]
        {
            ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.SurvivorNotFound, ProblemCatalogue.ReadOnly,
            ProblemCatalogue.MethodNotAllowed, ProblemCatalogue.DecisionMakerRequired, ProblemCatalogue.UnknownCategory,
            ProblemCatalogue.UnknownPurpose, ProblemCatalogue.UnsupportedLanguage, ProblemCatalogue.UnknownAgency,
            ProblemCatalogue.RecipientDenied, ProblemCatalogue.UnknownConsentText, ProblemCatalogue.ConsentTextSuperseded, ProblemCatalogue.ConsentTextNotPart2, ProblemCatalogue.StartInThePast, ProblemCatalogue.EndBeforeStart, ProblemCatalogue.EndTooFar, ProblemCatalogue.VerbalTooLong,
        };
        group.MapPost("/", Grant).WithSummary("Grants consent: the survivor in the portal, or an advocate recording witnessed or verbal consent.")
            .WithProblems(grantProblems);
        group.MapPut("/{consentId}", Amend).WithSummary("Changes a grant's terms (not its recipient); writes a new version.")
            .WithProblems([.. grantProblems, ProblemCatalogue.ConsentNotFound, ProblemCatalogue.ConsentNotActive]);
        group.MapPost("/{consentId}/revoke", Revoke).WithSummary("Revokes a grant at once; writes a new version.")
            .WithProblems(ProblemCatalogue.ConsentNotFound, ProblemCatalogue.ReadOnly, ProblemCatalogue.ConsentNotActive);
        return group;
    }

    private static async Task<Results<Ok<List<ConsentView>>, ProblemHttpResult>> List(
        string survivorId, ApiCaller caller, ConsentService consents, CancellationToken ct) =>
        (await consents.ListAsync(caller, survivorId, ct)).ToOk();

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult>> Get(
        string survivorId, string consentId, ApiCaller caller, ConsentService consents, CancellationToken ct) =>
        (await consents.GetAsync(caller, survivorId, consentId, ct)).ToOk();

    private static async Task<Results<Ok<List<ConsentVersionView>>, ProblemHttpResult>> History(
        string survivorId, string consentId, ApiCaller caller, ConsentService consents, CancellationToken ct) =>
        (await consents.HistoryAsync(caller, survivorId, consentId, ct)).ToOk();

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Fhir(
        string survivorId, string consentId, ApiCaller caller, ConsentService consents, CancellationToken ct)
    {
        var outcome = await consents.FhirAsync(caller, survivorId, consentId, ct);
        return outcome.Problem is { } problem
            ? problem.ToResult()
            : TypedResults.Text(outcome.Value!.ToJson(), "application/fhir+json");
    }

    private static async Task<Results<Created<ConsentView>, ProblemHttpResult>> Grant(
        string survivorId, GrantConsent request, ApiCaller caller, ConsentService consents, CancellationToken ct) =>
        (await consents.GrantAsync(caller, survivorId, request, ct)).ToCreated(c => $"/api/survivors/{survivorId}/consents/{c.Id}");

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult>> Amend(
        string survivorId, string consentId, GrantConsent request, ApiCaller caller, ConsentService consents, CancellationToken ct) =>
        (await consents.AmendAsync(caller, survivorId, consentId, request, ct)).ToOk();

    private static async Task<Results<Ok<ConsentView>, ProblemHttpResult>> Revoke(
        string survivorId, string consentId, ApiCaller caller, ConsentService consents, CancellationToken ct) =>
        (await consents.RevokeAsync(caller, survivorId, consentId, ct)).ToOk();
}
