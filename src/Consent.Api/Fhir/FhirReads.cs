using System.Globalization;
using System.Text.Json;
using Consent.Api.BreakGlass;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.DisclosureLog;
using Consent.Api.Sharing;
using Consent.Api.Storage;
using Consent.Policies;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Fhir;

/// <summary>A record that might be returned: stored by an agency, or a consent grant exported as a FHIR Consent.</summary>
public sealed record Candidate(string ResourceType, string Id, string SourceAgencyId, string? SurvivorId, IReadOnlyList<string> Labels,
    DateTimeOffset LastUpdated, string Json, IReadOnlyList<string> CategoryCodes, int VersionId)
{
    public static Candidate Of(FhirRecord record) => new(record.ResourceType, record.Id, record.SourceAgencyId, record.SurvivorId,
        record.Labels, record.LastUpdated, record.Json, record.CategoryCodes, record.VersionId);

    public string Reference => ResourceType + "/" + Id;
}

/// <summary>A candidate the caller may have, and why: its own agency's record, or another's on the bases named.</summary>
public sealed record Released(Candidate Record, bool IsOwn, IReadOnlyList<DisclosureBasis> Basis, string PolicyVersion, bool RedisclosureNotice);

/// <summary>
/// Reads of records through the policy. Each candidate record is decided (the caller's own records need no decision);
/// what is withheld is simply absent. Before anything is returned, one disclosure-log entry per survivor concerned is
/// made durable (permit with the references returned and the bases used, or deny); if that fails, nothing is returned.
/// </summary>
public sealed partial class FhirReads(
    ConsentDb db,
    SharingDecisions sharing,
    IDisclosureLog log,
    ConsentExport export,
    BreakGlassService breakGlass,
    ILogger<FhirReads> logger)
{
    // Compiled once: the read by id is the hottest query of the API.
    internal static readonly Func<ConsentDb, string, string, Task<FhirRecord?>> RecordById = CompiledPerModel.AsyncQuery(
        (ConsentDb db, string type, string id) => db.FhirRecords.AsNoTracking().FirstOrDefault(r => r.ResourceType == type && r.Id == id));

    /// <summary>The survivor id a deny entry names when the request matched no record (or a record nobody else may read).</summary>
    public const string UnknownSurvivor = "unknown";

    public async Task<IResult> ReadAsync(ReadContext context, string resourceType, string id, CancellationToken cancellationToken)
    {
        var record = await RecordById(db, resourceType, id);
        var released = await ReleaseAsync(context, resourceType, record is null ? [] : [Candidate.Of(record)], null, cancellationToken);
        if (released.Failed is not null)
        {
            return released.Failed;
        }

        return released.Records.Count == 0 ? FhirOutcomes.NotFound() : new ResourceResult(released.Records[0]);
    }

    public async Task<IResult> SearchAsync(ReadContext context, FhirSearch search, string selfUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var candidates = await CandidatesAsync(context, search, cancellationToken);
        var everyone = await FilterAsync(context, candidates, cancellationToken);
        var page = everyone.Skip(search.Offset).Take(search.Count).ToList();
        var failed = await RecordAsync(context, search.ResourceType, candidates, page, null, cancellationToken);
        if (failed is not null)
        {
            return failed;
        }

        return new BundleResult(Bundle.BundleType.Searchset, page, everyone.Count, search, selfUrl);
    }

    public async Task<IResult> EverythingAsync(ReadContext context, string patientId, CancellationToken cancellationToken)
    {
        var patient = await PatientAsync(patientId, cancellationToken);
        List<Candidate> candidates = [];
        if (patient is not null && (patient.SurvivorId is not null || patient.SourceAgencyId == context.Caller.AgencyId))
        {
            var query = patient.SurvivorId is { } survivorId
                ? db.FhirRecords.AsNoTracking().Where(r => r.SurvivorId == survivorId)
                : db.FhirRecords.AsNoTracking().Where(r => r.PatientId == patient.Id);
            candidates = [.. (await query.ToListAsync(cancellationToken)).Select(Candidate.Of)];
        }

        var released = await ReleaseAsync(context, "Patient", candidates, patient?.SurvivorId, cancellationToken);
        if (released.Failed is not null)
        {
            return released.Failed;
        }

        return released.Records.Count == 0
            ? FhirOutcomes.NotFound()
            : new BundleResult(Bundle.BundleType.Searchset, released.Records, released.Records.Count, null, null);
    }

    private async Task<(List<Released> Records, IResult? Failed)> ReleaseAsync(ReadContext context, string resourceType,
        List<Candidate> candidates, string? survivorHint, CancellationToken cancellationToken)
    {
        var released = await FilterAsync(context, candidates, cancellationToken);
        var failed = await RecordAsync(context, resourceType, candidates, released, survivorHint, cancellationToken);
        return (released, failed);
    }

    /// <summary>The candidates the caller may have, newest first: its own, and others' that the policy permits.</summary>
    private async Task<List<Released>> FilterAsync(ReadContext context, List<Candidate> candidates, CancellationToken cancellationToken)
    {
        var released = new List<Released>(candidates.Count);
        var requester = context.Caller.AsRequester(context.AgencyType);
        foreach (var group in candidates.GroupBy(c => c.SurvivorId))
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

    /// <summary>
    /// Appends one entry per survivor whose records were asked about (reading only one's own records is not a disclosure),
    /// and waits for each to be durable. Null when done; a 503 outcome when the log could not record them.
    /// </summary>
    private async Task<IResult?> RecordAsync(ReadContext context, string resourceType, List<Candidate> candidates, List<Released> returned,
        string? survivorHint, CancellationToken cancellationToken)
    {
        var drafts = new List<DisclosureDraft>();
        var others = candidates.Where(c => c.SourceAgencyId != context.Caller.AgencyId).ToList();
        foreach (var group in others.GroupBy(c => c.SurvivorId ?? UnknownSurvivor))
        {
            var disclosed = returned.Where(r => !r.IsOwn && (r.Record.SurvivorId ?? UnknownSurvivor) == group.Key).ToList();
            drafts.Add(await DraftAsync(context, resourceType, group.Key, disclosed, cancellationToken));
        }

        if (others.Count == 0 && returned.Count == 0)
        {
            // Nothing matched: recorded as a deny all the same, so that it looks (and takes) the same as a withheld record.
            drafts.Add(await DraftAsync(context, resourceType, survivorHint ?? UnknownSurvivor, [], cancellationToken));
        }

        if (await log.TryAppendAllAsync(drafts, cancellationToken))
        {
            return null;
        }

        LogUnrecorded(logger, context.Caller.AgencyId, context.RequestId);
        return FhirOutcomes.LogUnavailable();
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

    private async Task<List<Candidate>> CandidatesAsync(ReadContext context, FhirSearch search, CancellationToken cancellationToken)
    {
        IQueryable<FhirRecord> query = db.FhirRecords.AsNoTracking().Where(r => r.ResourceType == search.ResourceType);

        // The survivors whose records are searched; null when the search names the Patients themselves (Patient?identifier=).
        List<string>? survivorIds = [];
        var ownUnlinked = new List<string>();
        if (search.PatientId is { } patientId)
        {
            var patient = await PatientAsync(patientId, cancellationToken);
            if (patient?.SurvivorId is { } survivorId)
            {
                survivorIds.Add(survivorId);
            }
            else if (patient is not null && patient.SourceAgencyId == context.Caller.AgencyId)
            {
                ownUnlinked.Add(patient.Id);
            }
        }

        if ((search.PatientIdentifier ?? search.Identifier) is var (system, value))
        {
            var patients = await PatientsWithAsync(db, system, value, cancellationToken);
            var linked = await db.FhirRecords.AsNoTracking().Where(r => r.ResourceType == "Patient" && patients.Contains(r.Id))
                .Select(r => new PatientLink(r.Id, r.SurvivorId, r.SourceAgencyId)).ToListAsync(cancellationToken);
            if (search.ResourceType == "Patient" && search.Identifier is not null)
            {
                // Patient?identifier= finds those Patients themselves (each decided like any record).
                var ids = linked.Select(p => p.Id).ToList();
                query = query.Where(r => ids.Contains(r.Id));
                survivorIds = null;
            }
            else
            {
                survivorIds.AddRange(linked.Select(p => p.SurvivorId).OfType<string>());
                ownUnlinked.AddRange(linked.Where(p => p.SurvivorId is null && p.SourceAgencyId == context.Caller.AgencyId).Select(p => p.Id));
            }
        }

        if (survivorIds is not null)
        {
            var distinct = survivorIds.Distinct(StringComparer.Ordinal).ToList();
            query = query.Where(r => (r.SurvivorId != null && distinct.Contains(r.SurvivorId)) || ownUnlinked.Contains(r.PatientId));
        }

        if (search.UpdatedFrom is { } from)
        {
            query = query.Where(r => r.LastUpdated >= from);
        }

        if (search.UpdatedBefore is { } before)
        {
            query = query.Where(r => r.LastUpdated < before);
        }

        var candidates = (await query.ToListAsync(cancellationToken)).Select(Candidate.Of).ToList();
        if (search.ResourceType == "Consent" && survivorIds is not null)
        {
            candidates.AddRange(await GrantsAsConsentsAsync(context, [.. survivorIds.Distinct(StringComparer.Ordinal)], search.PatientId, cancellationToken));
        }

        return Narrow(candidates, search);
    }

    /// <summary>The candidates the search's <c>category</c>, <c>status</c> (Consent) and <c>scope</c> (Consent) select.</summary>
    internal static List<Candidate> Narrow(List<Candidate> candidates, FhirSearch search)
    {
        if (search.Category is { } category)
        {
            var exact = category.System is null ? null : category.System + "|" + category.Code;
            var suffix = "|" + category.Code;
            candidates = [.. candidates.Where(c => c.CategoryCodes.Any(code => exact is null ? code.EndsWith(suffix, StringComparison.Ordinal) : code == exact))];
        }

        if (search.Status is { } status)
        {
            candidates = [.. candidates.Where(c => StatusOf(c) == status)];
        }

        if (search.Scope is { } scope)
        {
            candidates = [.. candidates.Where(c => HasScope(c.Json, scope))];
        }

        return candidates;
    }

    /// <summary>The ids of the Patients with the identifier (any system when <paramref name="system"/> is null).</summary>
    internal static Task<List<string>> PatientsWithAsync(ConsentDb db, string? system, string value, CancellationToken cancellationToken) =>
        (system is null
            ? db.FhirPatientIdentifiers.AsNoTracking().Where(i => i.Value == value)
            : db.FhirPatientIdentifiers.AsNoTracking().Where(i => i.System == system && i.Value == value))
        .Select(i => i.PatientId).Distinct().Take(FhirSearch.MaxCount).ToListAsync(cancellationToken);

    private sealed record PatientLink(string Id, string? SurvivorId, string SourceAgencyId);

    private Task<PatientLink?> PatientAsync(string patientId, CancellationToken cancellationToken) =>
        db.FhirRecords.AsNoTracking().Where(r => r.ResourceType == "Patient" && r.Id == patientId)
            .Select(r => new PatientLink(r.Id, r.SurvivorId, r.SourceAgencyId)).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Whether a Consent's <c>scope</c> has the coding (any system when none is given).</summary>
    private static bool HasScope(string json, (string? System, string Code) scope)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty("scope", out var concept) && concept.TryGetProperty("coding", out var codings)
            && codings.EnumerateArray().Any(c => c.TryGetProperty("code", out var code) && code.GetString() == scope.Code
                && (scope.System is null || (c.TryGetProperty("system", out var system) && system.GetString() == scope.System)));
    }

    private static string? StatusOf(Candidate candidate)
    {
        using var document = JsonDocument.Parse(candidate.Json);
        return document.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String ? status.GetString() : null;
    }

    /// <summary>
    /// A survivor's consent grants as FHIR Consent resources (the effective decision, see <see cref="ConsentFhir"/>). A grant
    /// is its recipient agency's own to see (it says what the agency may read and until when); any other agency reads it
    /// under the policy, as a record (category <c>consents</c>) of the survivor's enrolling agency.
    /// </summary>
    private async Task<List<Candidate>> GrantsAsConsentsAsync(ReadContext context, List<string> survivorIds, string? patientId,
        CancellationToken cancellationToken)
    {
        var grants = await db.Consents.AsNoTracking().Where(g => survivorIds.Contains(g.SurvivorId)).ToListAsync(cancellationToken);
        var enrolling = await db.Survivors.AsNoTracking().Where(s => survivorIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.EnrollingAgencyId, cancellationToken);
        // A survivor who put the caller's agency on their deny list has taken its grants away too: they are no longer
        // the agency's own to see, so they go through the policy (which refuses them, and the refusal is logged).
        var deniedTo = (await db.DenyEntries.AsNoTracking()
            .Where(d => survivorIds.Contains(d.SurvivorId) && d.RemovedAt == null && d.AgencyId == context.Caller.AgencyId)
            .Select(d => d.SurvivorId).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        // The Patient the search named when it named one survivor's Patient; otherwise the survivor by identifier.
        var exported = await export.ForGrantsAsync(grants, survivor => patientId is not null && survivorIds.Count == 1
            ? new ResourceReference("Patient/" + patientId)
            : ConsentExport.SurvivorReference(survivor), cancellationToken);
        return [.. exported.Select(e =>
        {
            var (g, consent) = e;
            var source = g.RecipientAgencyId == context.Caller.AgencyId && !deniedTo.Contains(g.SurvivorId)
                ? context.Caller.AgencyId
                : enrolling.GetValueOrDefault(g.SurvivorId, "");
            return new Candidate("Consent", consent.Id!, source, g.SurvivorId, [], g.RecordedAt, FhirModel.Serialize(consent),
                ConsentCategoryCodes, g.Version);
        })];
    }

    /// <summary>The <c>system|code</c> of every exported Consent's category, for the <c>category</c> search parameter.</summary>
    internal static readonly IReadOnlyList<string> ConsentCategoryCodes =
        [ConsentFhir.ConsentScopeSystem + "|patient-privacy", "http://loinc.org|59284-0"];

    [LoggerMessage(EventId = 6201, Level = LogLevel.Error, Message = "FHIR read by {AgencyId} refused: the disclosure log could not record it (request {RequestId})")]
    private static partial void LogUnrecorded(ILogger logger, string agencyId, string requestId);
}
