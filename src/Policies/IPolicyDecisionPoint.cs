namespace Consent.Policies;

/// <summary>
/// Decides whether an agency may read a survivor's record, and why. Two implementations, chosen by
/// configuration (<c>Policies:Engine</c>): the embedded evaluator (default, in process) and the OPA client.
/// Both fail closed: an error is a deny with a reason, never an exception, except when the caller cancels.
/// </summary>
public interface IPolicyDecisionPoint
{
    ValueTask<PolicyDecision> DecideAsync(PolicyInput input, CancellationToken cancellationToken = default);
}
