using Consent.Api.BreakGlass;
using Consent.Api.DisclosureLog;
using Consent.Policies;

namespace Consent.Api.Sharing;

/// <summary>
/// Step 8 of a read: the log entries. One entry per survivor whose records were asked about (reading only one's own
/// records is not a disclosure): a permit naming the references returned and the bases used, or a deny. A read that
/// matched nothing is recorded as a deny all the same, so that it looks (and takes) the same as a withheld record. A
/// break-glass read is first recorded for review. The entries are durable before this returns true; when it returns
/// false nothing may leave.
/// </summary>
public sealed class ReadDisclosures(IDisclosureLog log, BreakGlassService breakGlass)
{
    /// <summary>The survivor id a deny entry names when the request matched no record (or a record nobody else may read).</summary>
    public const string UnknownSurvivor = "unknown";

    /// <summary>True once every entry is durable; false when the log could not record them (then nothing may be returned).</summary>
    public async Task<bool> RecordAsync(ReadContext context, Candidates candidates, IReadOnlyList<Released> returned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(returned);
        var drafts = new List<DisclosureDraft>();
        var others = candidates.Records.Where(c => c.SourceAgencyId != context.Caller.AgencyId).ToList();
        foreach (var group in others.GroupBy(c => c.SurvivorId ?? UnknownSurvivor))
        {
            var disclosed = returned.Where(r => !r.IsOwn && (r.Record.SurvivorId ?? UnknownSurvivor) == group.Key).ToList();
            drafts.Add(await DraftAsync(context, candidates.ResourceType, group.Key, disclosed, cancellationToken));
        }

        if (others.Count == 0 && returned.Count == 0)
        {
            drafts.Add(await DraftAsync(context, candidates.ResourceType, candidates.SurvivorHint ?? UnknownSurvivor, [], cancellationToken));
        }

        return await log.TryAppendAllAsync(drafts, cancellationToken);
    }

    private async Task<DisclosureDraft> DraftAsync(ReadContext context, string resourceType, string survivorId, List<Released> disclosed,
        CancellationToken cancellationToken)
    {
        var basis = disclosed.SelectMany(r => r.Basis).Distinct().ToList();
        if (context.BreakGlassReason is not null && survivorId != UnknownSurvivor)
        {
            // Every break-glass read waits in the compliance review queue, permitted or not.
            basis.Add(DisclosureBasis.BreakGlass(await breakGlass.RecordEmergencyReadAsync(context.Caller.AgencyId, context.Caller.ClientId,
                context.Caller.UserId, survivorId, context.PurposeCode, context.BreakGlassReason, cancellationToken)));
        }

        return new DisclosureDraft(
            context.Caller.AgencyId,
            context.Caller.ClientId,
            context.Caller.UserId,
            survivorId,
            resourceType,
            [.. disclosed.Select(r => r.Record.Reference)],
            context.PurposeCode,
            disclosed.Count > 0 ? DisclosureDecision.Permit : DisclosureDecision.Deny,
            disclosed.Count > 0 ? basis : [.. basis.Where(b => b.Kind == DisclosureBasisKind.BreakGlass)],
            disclosed.Count > 0 ? disclosed[0].PolicyVersion : PolicyVersion.Current,
            context.RequestId,
            context.BreakGlassReason is not null);
    }
}
