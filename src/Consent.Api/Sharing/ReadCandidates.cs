using System.Data;
using System.Data.Common;
using System.Text.Json;
using Consent.Api.Consents;
using Consent.Api.Fhir;
using Consent.Api.Storage;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Consent.Api.Sharing;

/// <summary>A record that might be returned: stored by an agency, or a consent grant exported as a FHIR Consent.</summary>
public sealed record Candidate(string ResourceType, string Id, string SourceAgencyId, string? SurvivorId, IReadOnlyList<string> Labels,
    DateTimeOffset LastUpdated, string Json, IReadOnlyList<string> CategoryCodes, int VersionId)
{
    public static Candidate Of(FhirRecord record) => new(record.ResourceType, record.Id, record.SourceAgencyId, record.SurvivorId,
        record.Labels, record.LastUpdated, record.Json, record.CategoryCodes, record.VersionId);

    public string Reference => ResourceType + "/" + Id;
}

/// <summary>
/// The records that would answer a read before anything is decided, and the survivor the read named when it matched
/// nothing of anyone else's (so that the log's deny entry names the survivor asked about).
/// </summary>
public sealed record Candidates(string ResourceType, List<Candidate> Records, string? SurvivorHint = null);

/// <summary>
/// Step 5 of a read: the candidates. The stored records a read by id, a search or <c>$everything</c> would answer with,
/// and for <c>Consent?patient=</c> the survivor's grants as FHIR Consents (<see cref="ConsentExport"/>). Nothing here
/// decides: whatever is found goes to <see cref="ReadReleases"/>, and everything asked about to the log.
/// </summary>
public sealed class ReadCandidates(ConsentDb db, ConsentExport export)
{
    /// <summary>A stored record by type and id, whole (a consent directory's Patient reads).</summary>
    internal static readonly Func<ConsentDb, string, string, Task<FhirRecord?>> RecordById = CompiledPerModel.AsyncQuery(
        (ConsentDb db, string type, string id) => db.FhirRecords.AsNoTracking().FirstOrDefault(r => r.ResourceType == type && r.Id == id));

    /// <summary>The record with the type and id, if there is one.</summary>
    public async Task<Candidates> ByIdAsync(string resourceType, string id, CancellationToken cancellationToken)
    {
        var record = await CandidateByIdAsync(db, resourceType, id, cancellationToken);
        return new Candidates(resourceType, record is null ? [] : [record]);
    }

    /// <summary>
    /// The stored record with the type and id as a candidate. The read by id is the hottest query of the API, so it is
    /// one hand-written statement on the context's connection (opened here if it is not yet; the context closes it when
    /// the request ends), reading only the columns a candidate has: through EF Core, even compiled, the query's setup
    /// cost more than the statement. The bare-read baseline of the benchmark makes the same one.
    /// </summary>
    internal static async Task<Candidate?> CandidateByIdAsync(ConsentDb db, string resourceType, string id, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
        {
            // The statement reads SQLite's column types (lists as JSON text, times as Unix milliseconds); elsewhere the
            // compiled query reads the record through the model.
            return await RecordById(db, resourceType, id) is { } record ? Candidate.Of(record) : null;
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = "SELECT SourceAgencyId, SurvivorId, Labels, CategoryCodes, LastUpdated, Json, VersionId FROM FhirRecords "
            + "WHERE ResourceType = $type AND Id = $id";
        Bind(command, "$type", resourceType);
        Bind(command, "$id", id);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new Candidate(resourceType, id, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
            Codes(reader.GetString(2)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetString(5),
            Codes(reader.GetString(3)), reader.GetInt32(6));
    }

    private static void Bind(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>A list of codes as EF Core stores a primitive collection: a JSON array of strings.</summary>
    private static List<string> Codes(string json) => json == "[]" ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    /// <summary>Every record about the Patient's survivor (or, for an unlinked Patient of the caller's own, about that Patient).</summary>
    public async Task<Candidates> EverythingAsync(ReadContext context, string patientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var patient = await PatientAsync(patientId, cancellationToken);
        List<Candidate> candidates = [];
        if (patient is not null && (patient.SurvivorId is not null || patient.SourceAgencyId == context.Caller.AgencyId))
        {
            var query = patient.SurvivorId is { } survivorId
                ? db.FhirRecords.AsNoTracking().Where(r => r.SurvivorId == survivorId)
                : db.FhirRecords.AsNoTracking().Where(r => r.PatientId == patient.Id);
            candidates = [.. (await query.ToListAsync(cancellationToken)).Select(Candidate.Of)];
        }

        return new Candidates("Patient", candidates, patient?.SurvivorId);
    }

    /// <summary>The records the search selects, before paging.</summary>
    public async Task<Candidates> SearchAsync(ReadContext context, FhirSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(search);
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

        return new Candidates(search.ResourceType, Narrow(candidates, search));
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
}
