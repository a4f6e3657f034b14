using Consent.Api.Categories;
using Consent.Api.Storage;
using Consent.Policies;
using ApiGrant = Consent.Api.Consents.ConsentGrant;

namespace Consent.Api.Sharing;

/// <summary>
/// Asks the policy about records of one survivor for one recipient: the survivor's facts once (<see cref="SharingFacts"/>),
/// mapped to the policy's input (<see cref="PolicyInputs"/>), and each distinct kind of record decided once. The FHIR
/// read, search, <c>$everything</c> and the sharing preview all decide here.
/// </summary>
public sealed class SharingDecisions(SharingFacts facts, IPolicyDecisionPoint policy, RecordClassifier classifier, TimeProvider time)
{
    /// <summary>
    /// The facts for <paramref name="survivorId"/> as <paramref name="requester"/> would be judged, at the current time.
    /// Facts loaded at the same <paramref name="factsVersion"/> are reused (see <see cref="FactsVersion"/>).
    /// </summary>
    /// <param name="proposed">Grants not given yet, judged as if they were (the sharing preview); never cached.</param>
    public async Task<SurvivorSharing> ForAsync(Requester requester, string survivorId, long factsVersion, string purposeCode,
        string? breakGlassReason, CancellationToken cancellationToken, IReadOnlyList<ApiGrant>? proposed = null)
    {
        ArgumentNullException.ThrowIfNull(requester);
        var loaded = await facts.GetAsync(requester.AgencyId, survivorId, factsVersion, cancellationToken);
        if (proposed is { Count: > 0 })
        {
            loaded = loaded with { Grants = [.. loaded.Grants, .. proposed] };
        }

        return new SurvivorSharing(this, requester, survivorId, purposeCode, breakGlassReason, time.GetUtcNow(), loaded);
    }

    internal ValueTask<PolicyDecision> DecideAsync(PolicyInput input, CancellationToken cancellationToken) =>
        policy.DecideAsync(input, cancellationToken);

    internal RecordClassifier Classifier => classifier;
}

/// <summary>One survivor's facts for one recipient and purpose, with each kind of record decided once.</summary>
public sealed class SurvivorSharing
{
    private readonly SharingDecisions decisions;
    private readonly LoadedFacts facts;
    private readonly Dictionary<string, PolicyDecision> decided = new(StringComparer.Ordinal);

    internal SurvivorSharing(SharingDecisions decisions, Requester requester, string survivorId, string purposeCode, string? breakGlassReason,
        DateTimeOffset now, LoadedFacts facts)
    {
        this.decisions = decisions;
        Requester = requester;
        SurvivorId = survivorId;
        PurposeCode = purposeCode;
        BreakGlassReason = breakGlassReason;
        Now = now;
        this.facts = facts;
    }

    public Requester Requester { get; }

    public string SurvivorId { get; }

    public string PurposeCode { get; }

    public string? BreakGlassReason { get; }

    public DateTimeOffset Now { get; }

    /// <summary>The decision on a record of <paramref name="resourceType"/> with <paramref name="labels"/>, written by <paramref name="sourceAgencyId"/>.</summary>
    public async ValueTask<PolicyDecision> DecideAsync(string sourceAgencyId, string resourceType, IReadOnlyList<string> labels,
        CancellationToken cancellationToken)
    {
        var category = decisions.Classifier.CategoryOf(resourceType, labels);
        var key = string.Join('\u001f', [sourceAgencyId, resourceType, category ?? "", .. labels]);
        if (decided.TryGetValue(key, out var known))
        {
            return known;
        }

        var input = PolicyInputs.For(Requester, SurvivorId, PurposeCode, BreakGlassReason, Now, facts, sourceAgencyId, resourceType, category, labels,
            decisions.Classifier);
        var decision = await decisions.DecideAsync(input, cancellationToken);
        decided[key] = decision;
        return decision;
    }
}
