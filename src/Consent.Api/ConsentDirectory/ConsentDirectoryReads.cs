using Consent.Api.Consents;
using Consent.Api.DisclosureLog;
using Consent.Api.Fhir;
using Consent.Api.Sharing;
using Consent.Api.Storage;
using Consent.Policies;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using FhirConsent = Hl7.Fhir.Model.Consent;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.ConsentDirectory;

/// <summary>
/// What a consent directory (an external consent decision service registered in Identity, token claim
/// <c>client_kind=consent-directory</c>) reads on /fhir: a survivor's Patient, found by identifier, reduced to its id and
/// the identifier searched with (never a name, birth date or address); and the survivor's consent directives as
/// Consent resources (<see cref="ConsentExport"/>: grants and 51A cases, the effective decision). Nothing else.
/// <para>
/// The purpose of use is the one the directory was registered with. A survivor who put the directory's operating agency
/// on the never-share list is invisible to it. Every read is written to the disclosure log before anything is returned
/// (basis <see cref="DisclosureBasisKind.ConsentDirectory"/>, the client id), so the survivor sees it among who saw
/// their data; if the log cannot record it, nothing is returned.
/// </para>
/// </summary>
public sealed partial class ConsentDirectoryReads(ConsentDb db, ConsentExport export, IDisclosureLog log, ILogger<ConsentDirectoryReads> logger)
{
    /// <summary>The resource types a consent directory reads (Organizations too, which every agency system may read).</summary>
    public static bool Reads(string resourceType) => resourceType is "Patient" or "Consent";

    public async Task<IResult> ReadAsync(ReadContext context, string resourceType, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var answer = resourceType == "Patient"
            ? await PatientByIdAsync(context, id, cancellationToken)
            : await ConsentByIdAsync(context, id, cancellationToken);
        var failed = await RecordAsync(context, resourceType, answer, cancellationToken);
        if (failed is not null)
        {
            return failed;
        }

        var found = answer.Released.FirstOrDefault();
        return found is null ? FhirOutcomes.NotFound() : new ResourceResult(found);
    }

    public async Task<IResult> SearchAsync(ReadContext context, FhirSearch search, string selfUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(search);
        Answer answer;
        if (search.ResourceType == "Patient")
        {
            if (search.Identifier is not { } identifier)
            {
                return FhirOutcomes.Invalid("A consent directory searches Patients by identifier=system|value.");
            }

            answer = await PatientsByIdentifierAsync(context, identifier, cancellationToken);
        }
        else
        {
            answer = await ConsentsAsync(context, search, cancellationToken);
        }

        var everyone = answer.Released;
        var page = everyone.Skip(search.Offset).Take(search.Count).ToList();
        var failed = await RecordAsync(context, search.ResourceType, answer with { Released = page }, cancellationToken);
        return failed ?? new BundleResult(Bundle.BundleType.Searchset, page, everyone.Count, search, selfUrl);
    }

    /// <summary>What a read found: the records to return, and every survivor it asked about (each gets a log entry).</summary>
    private sealed record Answer(List<Released> Released, IReadOnlyCollection<string> Survivors);

    private async Task<Answer> PatientByIdAsync(ReadContext context, string id, CancellationToken cancellationToken)
    {
        var record = await ReadCandidates.RecordById(db, "Patient", id);
        if (record?.SurvivorId is not { } survivorId)
        {
            return new Answer([], []);
        }

        return await VisibleAsync(context, survivorId, cancellationToken)
            ? new Answer([Release(context, record, [])], [survivorId])
            : new Answer([], [survivorId]);
    }

    private async Task<Answer> PatientsByIdentifierAsync(ReadContext context, (string? System, string Value) identifier, CancellationToken cancellationToken)
    {
        var records = await LinkedPatientsAsync(identifier, cancellationToken);
        var ids = records.Select(r => r.Id).ToList();
        var matched = await db.FhirPatientIdentifiers.AsNoTracking()
            .Where(i => ids.Contains(i.PatientId) && i.Value == identifier.Value && (identifier.System == null || i.System == identifier.System))
            .ToListAsync(cancellationToken);
        var survivors = records.Select(r => r.SurvivorId!).Distinct(StringComparer.Ordinal).ToList();
        var visible = await VisibleAsync(context, survivors, cancellationToken);
        var released = records.Where(r => visible.Contains(r.SurvivorId!))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => Release(context, r, [.. matched.Where(i => i.PatientId == r.Id).Select(i => new Identifier(i.System, i.Value))]))
            .ToList();
        return new Answer(released, survivors);
    }

    private async Task<Answer> ConsentsAsync(ReadContext context, FhirSearch search, CancellationToken cancellationToken)
    {
        // The survivors the search names, each with the Patient it was named by (Consent.patient points at it).
        var patients = new List<(string PatientId, string SurvivorId)>();
        if (search.PatientId is { } patientId)
        {
            var record = await ReadCandidates.RecordById(db, "Patient", patientId);
            if (record?.SurvivorId is { } survivorId)
            {
                patients.Add((record.Id, survivorId));
            }
        }
        else if (search.PatientIdentifier is { } identifier)
        {
            patients.AddRange((await LinkedPatientsAsync(identifier, cancellationToken))
                .OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => (p.Id, p.SurvivorId!)));
        }

        var survivors = patients.Select(p => p.SurvivorId).Distinct(StringComparer.Ordinal).ToList();
        var visible = await VisibleAsync(context, survivors, cancellationToken);
        var released = new List<Released>();
        foreach (var survivorId in survivors.Where(visible.Contains))
        {
            var patient = new ResourceReference("Patient/" + patients.First(p => p.SurvivorId == survivorId).PatientId);
            var consents = await export.ForSurvivorAsync(survivorId, patient, cancellationToken);
            released.AddRange(ReadCandidates.Narrow([.. consents.Select(c => Candidate(survivorId, c))], search).Select(c => Released(context, c)));
        }

        return new Answer(released, survivors);
    }

    private async Task<Answer> ConsentByIdAsync(ReadContext context, string id, CancellationToken cancellationToken)
    {
        string? survivorId = null;
        if (id.StartsWith(ConsentFhir.StatutoryIdPrefix, StringComparison.Ordinal))
        {
            if (Guid.TryParseExact(id[ConsentFhir.StatutoryIdPrefix.Length..], "N", out var basisId))
            {
                survivorId = await db.StatutoryBases.AsNoTracking().Where(b => b.Id == basisId).Select(b => b.SurvivorId).FirstOrDefaultAsync(cancellationToken);
            }
        }
        else if (Guid.TryParseExact(id, "N", out var grantId))
        {
            survivorId = await db.Consents.AsNoTracking().Where(g => g.Id == grantId).Select(g => g.SurvivorId).FirstOrDefaultAsync(cancellationToken);
        }

        if (survivorId is null)
        {
            return new Answer([], []);
        }

        if (!await VisibleAsync(context, survivorId, cancellationToken))
        {
            return new Answer([], [survivorId]);
        }

        // Read by id, the Consent points at the survivor's first Patient here (by id), or at the survivor's identifier.
        var patientId = await db.FhirRecords.AsNoTracking().Where(r => r.ResourceType == "Patient" && r.SurvivorId == survivorId)
            .OrderBy(r => r.Id).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        var patient = patientId is null ? ConsentExport.SurvivorReference(survivorId) : new ResourceReference("Patient/" + patientId);
        var consent = (await export.ForSurvivorAsync(survivorId, patient, cancellationToken)).FirstOrDefault(c => c.Id == id);
        return new Answer(consent is null ? [] : [Released(context, Candidate(survivorId, consent))], [survivorId]);
    }

    /// <summary>The Patients with the identifier that are linked to a survivor (the only ones a directory may find).</summary>
    private async Task<List<FhirRecord>> LinkedPatientsAsync((string? System, string Value) identifier, CancellationToken cancellationToken)
    {
        var ids = await ReadCandidates.PatientsWithAsync(db, identifier.System, identifier.Value, cancellationToken);
        return await db.FhirRecords.AsNoTracking()
            .Where(r => r.ResourceType == "Patient" && ids.Contains(r.Id) && r.SurvivorId != null).ToListAsync(cancellationToken);
    }

    /// <summary>Whether the survivor let the directory's operating agency see them (it is not on their never-share list).</summary>
    private async Task<bool> VisibleAsync(ReadContext context, string survivorId, CancellationToken cancellationToken) =>
        (await VisibleAsync(context, [survivorId], cancellationToken)).Contains(survivorId);

    private async Task<HashSet<string>> VisibleAsync(ReadContext context, List<string> survivorIds, CancellationToken cancellationToken)
    {
        var hidden = await db.DenyEntries.AsNoTracking()
            .Where(d => survivorIds.Contains(d.SurvivorId) && d.RemovedAt == null && d.AgencyId == context.Caller.AgencyId)
            .Select(d => d.SurvivorId).ToListAsync(cancellationToken);
        return survivorIds.Except(hidden, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The Patient as a directory sees it: its id, version and the identifiers it was found by.</summary>
    private static Released Release(ReadContext context, FhirRecord record, List<Identifier> identifiers)
    {
        var patient = new Patient
        {
            Id = record.Id,
            Meta = new Meta { VersionId = record.VersionId.ToString(System.Globalization.CultureInfo.InvariantCulture), LastUpdated = record.LastUpdated },
            Active = true,
            Identifier = identifiers,
        };
        return Released(context, new Candidate("Patient", record.Id, record.SourceAgencyId, record.SurvivorId, [], record.LastUpdated,
            FhirModel.Serialize(patient), [], record.VersionId));
    }

    /// <summary>An exported Consent as a record to return (with the categories the <c>category</c> parameter matches).</summary>
    private static Candidate Candidate(string survivorId, FhirConsent consent) =>
        new("Consent", consent.Id!, "", survivorId, [], consent.Meta!.LastUpdated ?? DateTimeOffset.UnixEpoch,
            FhirModel.Serialize(consent), ReadCandidates.ConsentCategoryCodes, int.Parse(consent.Meta.VersionId!, System.Globalization.CultureInfo.InvariantCulture));

    private static Released Released(ReadContext context, Candidate candidate) =>
        new(candidate, IsOwn: false, [DisclosureBasis.ConsentDirectory(context.Caller.ClientId)], PolicyVersion.Current, RedisclosureNotice: false);

    /// <summary>
    /// One entry per survivor asked about (a permit with what is returned, or a deny), durable before the answer; a read
    /// that matched nobody is a deny about an unknown survivor, as on every /fhir read. Null when recorded.
    /// </summary>
    private async Task<IResult?> RecordAsync(ReadContext context, string resourceType, Answer answer, CancellationToken cancellationToken)
    {
        var survivors = answer.Survivors.Count == 0 ? [ReadDisclosures.UnknownSurvivor] : answer.Survivors;
        var drafts = survivors.Select(survivorId =>
        {
            var returned = answer.Released.Where(r => r.Record.SurvivorId == survivorId).Select(r => r.Record.Reference).ToList();
            return new DisclosureDraft(context.Caller.AgencyId, context.Caller.ClientId, null, survivorId, resourceType, returned,
                context.PurposeCode, returned.Count > 0 ? DisclosureDecision.Permit : DisclosureDecision.Deny,
                returned.Count > 0 ? [DisclosureBasis.ConsentDirectory(context.Caller.ClientId)] : [], PolicyVersion.Current, context.RequestId);
        }).ToList();
        if (await log.TryAppendAllAsync(drafts, cancellationToken))
        {
            return null;
        }

        LogUnrecorded(logger, context.Caller.ClientId, context.RequestId);
        return FhirOutcomes.LogUnavailable();
    }

    [LoggerMessage(EventId = 6301, Level = LogLevel.Error, Message = "Consent directory read by {ClientId} refused: the disclosure log could not record it (request {RequestId})")]
    private static partial void LogUnrecorded(ILogger logger, string clientId, string requestId);
}
