using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.Problems;

/// <summary>What a service decided: a value, or a catalogued problem.</summary>
public readonly struct Outcome<T>
{
    private Outcome(T? value, Problem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }

    public Problem? Problem { get; }

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Problem problem) => new(default, problem);

    public static implicit operator Outcome<T>(ProblemType problem) => new(default, new Problem(problem));
}

/// <summary>Endpoints translate outcomes into typed HTTP results.</summary>
public static class OutcomeResults
{
    public static Results<Ok<T>, ProblemHttpResult> ToOk<T>(this Outcome<T> outcome) =>
        outcome.Problem is { } problem ? problem.ToResult() : TypedResults.Ok(outcome.Value!);

    public static Results<Created<T>, ProblemHttpResult> ToCreated<T>(this Outcome<T> outcome, Func<T, string> location) =>
        outcome.Problem is { } problem ? problem.ToResult() : TypedResults.Created(location(outcome.Value!), outcome.Value!);

    /// <summary>
    /// Documents the problems an endpoint may answer, by status, with their types in the description. A 400 that may
    /// carry per-field errors is a validation problem. The answers every route shares (401, 403, 429, 503, and the body
    /// checks) are added to the document for all routes alike (see Docs/PipelineAnswers).
    /// </summary>
    public static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params ProblemType[] problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        foreach (var status in problems.Select(p => p.Status).Distinct())
        {
            if (status == StatusCodes.Status400BadRequest && problems.Contains(ProblemCatalogue.InvalidRequest))
            {
                builder.ProducesValidationProblem();
            }
            else
            {
                builder.ProducesProblem(status);
            }
        }

        return builder.WithDescription("Problem types: " + string.Join(", ", problems.Select(p => p.Type).Distinct()));
    }
}
