using Consent.Api.Sharing;
using Hl7.Fhir.Model;

namespace Consent.Api.Fhir;

/// <summary>
/// Reads of records through the policy, as a straight line of the read's steps (docs/architecture.md): the request's
/// context comes in opened (<see cref="ReadContexts"/>); then the candidates (<see cref="ReadCandidates"/>), the facts
/// and the decision on each (<see cref="ReadReleases"/>), the log entries made durable (<see cref="ReadDisclosures"/>),
/// and only then the response. If the log could not record the read, nothing is returned (503).
/// </summary>
public sealed partial class FhirReads(ReadCandidates candidates, ReadReleases releases, ReadDisclosures disclosures, ILogger<FhirReads> logger)
{
    public async Task<IResult> ReadAsync(ReadContext context, string resourceType, string id, CancellationToken cancellationToken)
    {
        var found = await candidates.ByIdAsync(resourceType, id, cancellationToken);
        var released = await releases.DecideAsync(context, found, cancellationToken);
        if (!await disclosures.RecordAsync(context, found, released, cancellationToken))
        {
            return Unrecorded(context);
        }

        return released.Count == 0 ? FhirOutcomes.NotFound() : new ResourceResult(released[0]);
    }

    public async Task<IResult> SearchAsync(ReadContext context, FhirSearch search, string selfUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var found = await candidates.SearchAsync(context, search, cancellationToken);
        var everyone = await releases.DecideAsync(context, found, cancellationToken);
        var page = everyone.Skip(search.Offset).Take(search.Count).ToList();
        if (!await disclosures.RecordAsync(context, found, page, cancellationToken))
        {
            return Unrecorded(context);
        }

        return new BundleResult(Bundle.BundleType.Searchset, page, everyone.Count, search, selfUrl);
    }

    public async Task<IResult> EverythingAsync(ReadContext context, string patientId, CancellationToken cancellationToken)
    {
        var found = await candidates.EverythingAsync(context, patientId, cancellationToken);
        var released = await releases.DecideAsync(context, found, cancellationToken);
        if (!await disclosures.RecordAsync(context, found, released, cancellationToken))
        {
            return Unrecorded(context);
        }

        return released.Count == 0
            ? FhirOutcomes.NotFound()
            : new BundleResult(Bundle.BundleType.Searchset, released, released.Count, null, null);
    }

    private IResult Unrecorded(ReadContext context)
    {
        LogUnrecorded(logger, context.Caller.AgencyId, context.RequestId);
        return FhirOutcomes.LogUnavailable();
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Error, Message = "FHIR read by {AgencyId} refused: the disclosure log could not record it (request {RequestId})")]
    private static partial void LogUnrecorded(ILogger logger, string agencyId, string requestId);
}
