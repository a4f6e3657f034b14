using System.Globalization;
using Consent.Api.Caller;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.DisclosureTree;

/// <summary>
/// The disclosure log's tamper evidence for auditors: signed tree heads, inclusion and consistency proofs (RFC 9162),
/// an entry with its leaf (compliance officers), and the public keys that verify the heads (anonymous).
/// </summary>
public static class DisclosureTreeApi
{
    public static RouteGroupBuilder MapDisclosureTree(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/disclosure-log-keys", Keys).AllowAnonymous().WithTags("Disclosure log tree")
            .WithSummary("Every public key that signs or signed tree heads (JWK, with SubjectPublicKeyInfo DER and creation time); anonymous.")
            .WithProblems(ProblemCatalogue.InvalidRequest);

        var group = app.MapGroup("/api/log").WithTags("Disclosure log tree");
        group.MapGet("/tree-head", LatestHead)
            .WithSummary("The latest signed tree head: size, timestamp, root hash, key id and ECDSA P-256 signature. Signs the first one if there is none yet.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.NoTreeHead, ProblemCatalogue.DisclosureTreeUnavailable);
        group.MapPost("/tree-heads", SignNow)
            .WithSummary("Compliance officers: integrate every committed entry into the tree and sign a tree head over it now.")
            .WithProblems(ProblemCatalogue.Forbidden, ProblemCatalogue.InvalidRequest, ProblemCatalogue.DisclosureLogEmpty,
                ProblemCatalogue.DisclosureTreeUnavailable);
        group.MapGet("/tree-heads", Heads)
            .WithSummary("Signed tree heads in the order they were issued, a page at a time (afterId, limit 1-1000).")
            .WithProblems(ProblemCatalogue.InvalidRequest);
        group.MapGet("/proofs/inclusion", Inclusion)
            .WithSummary("RFC 9162 inclusion proof of leaf (sequence - 1) in the tree of treeSize leaves; treeSize must be the size of a signed tree head.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.DisclosureTreeUnavailable);
        group.MapGet("/proofs/consistency", Consistency)
            .WithSummary("RFC 9162 consistency proof between the trees of from and to leaves; both must be sizes of signed tree heads.")
            .WithProblems(ProblemCatalogue.InvalidRequest, ProblemCatalogue.DisclosureTreeUnavailable);
        group.MapGet("/entries/{sequence}", Entry)
            .WithSummary("Compliance officers: a log entry with its canonical leaf input (hex) and leaf hash, to recompute the leaf.")
            .WithProblems(ProblemCatalogue.Forbidden, ProblemCatalogue.InvalidRequest, ProblemCatalogue.DisclosureEntryNotFound);
        return group;
    }

    private static async Task<Results<Ok<LogKeySet>, ProblemHttpResult>> Keys(HttpRequest request, DisclosureTreeQueries queries, CancellationToken ct) =>
        (await queries.KeysAsync(request.Query, ct)).ToOk();

    private static async Task<Results<Ok<TreeHeadView>, ProblemHttpResult>> LatestHead(
        HttpRequest request, DisclosureTreeQueries queries, CancellationToken ct)
    {
        var outcome = await queries.LatestHeadAsync(request.Query, ct);
        return outcome.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(TreeHeadView.Of(outcome.Value!));
    }

    private static async Task<Results<Created<TreeHeadView>, ProblemHttpResult>> SignNow(
        HttpRequest request, ApiCaller caller, DisclosureTreeQueries queries, CancellationToken ct)
    {
        var outcome = await queries.SignNowAsync(caller, request.Query, ct);
        if (outcome.Problem is { } problem)
        {
            return problem.ToResult();
        }

        var head = outcome.Value!;
        return TypedResults.Created(
            $"/api/log/tree-heads?afterId={(head.Id - 1).ToString(CultureInfo.InvariantCulture)}&limit=1", TreeHeadView.Of(head));
    }

    private static async Task<Results<Ok<TreeHeadPage>, ProblemHttpResult>> Heads(
        [AsParameters] TreeHeadsQuery query, HttpRequest request, DisclosureTreeQueries queries, CancellationToken ct) =>
        (await queries.HeadsAsync(query, request.Query, ct)).ToOk();

    private static async Task<Results<Ok<InclusionProofView>, ProblemHttpResult>> Inclusion(
        [AsParameters] InclusionProofQuery query, HttpRequest request, DisclosureTreeQueries queries, CancellationToken ct) =>
        (await queries.InclusionAsync(query, request.Query, ct)).ToOk();

    private static async Task<Results<Ok<ConsistencyProofView>, ProblemHttpResult>> Consistency(
        [AsParameters] ConsistencyProofQuery query, HttpRequest request, DisclosureTreeQueries queries, CancellationToken ct) =>
        (await queries.ConsistencyAsync(query, request.Query, ct)).ToOk();

    private static async Task<Results<Ok<LogEntryView>, ProblemHttpResult>> Entry(
        string sequence, HttpRequest request, ApiCaller caller, DisclosureTreeQueries queries, CancellationToken ct) =>
        (await queries.EntryAsync(caller, sequence, request.Query, ct)).ToOk();
}
