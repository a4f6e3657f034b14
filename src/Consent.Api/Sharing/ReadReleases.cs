using Consent.Api.DisclosureLog;
using Consent.Policies;

namespace Consent.Api.Sharing;

/// <summary>A candidate the caller may have, and why: its own agency's record, or another's on the bases named.</summary>
public sealed record Released(Candidate Record, bool IsOwn, IReadOnlyList<DisclosureBasis> Basis, string PolicyVersion, bool RedisclosureNotice);

/// <summary>
/// Steps 6 and 7 of a read: the facts and the decision, per candidate. The caller's own records need no decision; a
/// record not linked to a survivor is nobody else's to read; every other record is decided by the policy on its
/// survivor's facts (<see cref="SharingDecisions"/>: loaded once per survivor, each kind of record decided once).
/// What is withheld is simply absent from the answer.
/// </summary>
public sealed class ReadReleases(SharingDecisions sharing)
{
    /// <summary>The candidates the caller may have, newest first.</summary>
    public async Task<List<Released>> DecideAsync(ReadContext context, Candidates candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(candidates);
        var released = new List<Released>(candidates.Records.Count);
        var requester = context.Caller.AsRequester(context.AgencyType);
        foreach (var group in candidates.Records.GroupBy(c => c.SurvivorId))
        {
            SurvivorSharing? facts = null;
            foreach (var candidate in group)
            {
                if (candidate.SourceAgencyId == context.Caller.AgencyId)
                {
                    released.Add(new Released(candidate, IsOwn: true, [], PolicyVersion.Current, false));
                    continue;
                }

                if (group.Key is null)
                {
                    // Not linked to a survivor: nobody but its writer may read it.
                    continue;
                }

                facts ??= await sharing.ForAsync(requester, group.Key, context.FactsVersion, context.PurposeCode, context.BreakGlassReason, cancellationToken);
                var decision = await facts.DecideAsync(candidate.SourceAgencyId, candidate.ResourceType, candidate.Labels, cancellationToken);
                if (decision.IsPermit)
                {
                    released.Add(new Released(candidate, IsOwn: false, Basis(decision), decision.PolicyVersion, decision.Obligations.RedisclosureNotice));
                }
            }
        }

        released.Sort((a, b) => b.Record.LastUpdated.CompareTo(a.Record.LastUpdated) is var c and not 0
            ? c : string.CompareOrdinal(a.Record.Reference, b.Record.Reference));
        return released;
    }

    /// <summary>The bases the disclosure log names for a permit (an emergency is added with its break-glass record).</summary>
    private static List<DisclosureBasis> Basis(PolicyDecision decision) =>
    [
        .. decision.Bases.Select(b => b.Kind switch
        {
            PolicyBasisKind.Grant => new DisclosureBasis(DisclosureBasisKind.ConsentGrant, b.Id!),
            PolicyBasisKind.Mou => new DisclosureBasis(DisclosureBasisKind.Mou, b.Id!),
            PolicyBasisKind.StatutoryBasis => new DisclosureBasis(DisclosureBasisKind.StatutoryBasis, b.Id!),
            _ => null,
        }).OfType<DisclosureBasis>(),
    ];
}
