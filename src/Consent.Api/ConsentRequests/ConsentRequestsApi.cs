using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.ConsentRequests;

public static class ConsentRequestsApi
{
    public static WebApplicationBuilder AddConsentRequests(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ConsentRequestService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapConsentRequests(this IEndpointRouteBuilder app)
    {
        var outgoing = app.MapGroup("/api/consent-requests").WithTags("Consent requests");
        outgoing.MapPost("/", Request).WithSummary("An agency asks a survivor for access (categories, purpose, reason, duration).")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.Forbidden, ProblemCatalogue.ReadOnly,
                ProblemCatalogue.UnknownCategory, ProblemCatalogue.UnknownPurpose, ProblemCatalogue.EndTooFar);
        outgoing.MapGet("/", Outgoing).WithSummary("The requests the caller's agency has made (all for compliance).")
            .WithProblems(ProblemCatalogue.Forbidden);
        outgoing.MapGet("/{requestId}", Get).WithSummary("One request, for the requesting agency or those who may see the survivor.")
            .WithProblems(ProblemCatalogue.ConsentRequestNotFound);

        var incoming = app.MapGroup("/api/survivors/{survivorId}/consent-requests").WithTags("Consent requests");
        incoming.MapGet("/", Incoming).WithSummary("Requests made to the survivor.").WithProblems(ProblemCatalogue.SurvivorNotFound);
        incoming.MapPost("/{requestId}/approve", Approve).WithSummary("Approves: creates the grant the agency asked for.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.MalformedRequest, ProblemCatalogue.ConsentRequestNotFound,
                ProblemCatalogue.ReadOnly, ProblemCatalogue.ConsentRequestNotPending, ProblemCatalogue.MethodNotAllowed,
                ProblemCatalogue.DecisionMakerRequired, ProblemCatalogue.RecipientDenied, ProblemCatalogue.UnknownAgency,
                ProblemCatalogue.UnsupportedLanguage, ProblemCatalogue.VerbalTooLong, ProblemCatalogue.EndTooFar);
        incoming.MapPost("/{requestId}/decline", Decline).WithSummary("Declines the request.")
            .WithProblems(ProblemCatalogue.MalformedRequest, ProblemCatalogue.ConsentRequestNotFound, ProblemCatalogue.ReadOnly,
                ProblemCatalogue.ConsentRequestNotPending);
        return app;
    }

    private static async Task<Results<Created<ConsentRequestView>, ProblemHttpResult>> Request(
        RequestConsent request, ApiCaller caller, ConsentRequestService requests, CancellationToken ct) =>
        (await requests.RequestAsync(caller, request, ct)).ToCreated(r => $"/api/consent-requests/{r.Id}");

    private static async Task<Results<Ok<List<ConsentRequestView>>, ProblemHttpResult>> Outgoing(
        ApiCaller caller, ConsentRequestService requests, CancellationToken ct) =>
        (await requests.OutgoingAsync(caller, ct)).ToOk();

    private static async Task<Results<Ok<ConsentRequestView>, ProblemHttpResult>> Get(
        string requestId, ApiCaller caller, ConsentRequestService requests, CancellationToken ct) =>
        (await requests.GetAsync(caller, requestId, ct)).ToOk();

    private static async Task<Results<Ok<List<ConsentRequestView>>, ProblemHttpResult>> Incoming(
        string survivorId, ApiCaller caller, ConsentRequestService requests, CancellationToken ct) =>
        (await requests.IncomingAsync(caller, survivorId, ct)).ToOk();

    private static async Task<Results<Ok<ConsentRequestView>, ProblemHttpResult>> Approve(
        string survivorId, string requestId, ApproveRequest request, ApiCaller caller, ConsentRequestService requests, CancellationToken ct) =>
        (await requests.ApproveAsync(caller, survivorId, requestId, request, ct)).ToOk();

    private static async Task<Results<Ok<ConsentRequestView>, ProblemHttpResult>> Decline(
        string survivorId, string requestId, DeclineRequest request, ApiCaller caller, ConsentRequestService requests, CancellationToken ct) =>
        (await requests.DeclineAsync(caller, survivorId, requestId, request, ct)).ToOk();
}
