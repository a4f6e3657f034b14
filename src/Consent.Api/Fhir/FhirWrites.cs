using System.Globalization;
using System.Text.Json;
using Consent.Api.Categories;
using Consent.Api.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Fhir;

/// <summary>
/// Agencies write their own records. The writing agency owns the record; a Patient is linked to a platform survivor
/// (identifier <see cref="FhirModel.SurvivorIdentifierSystem"/>) only by the agency that enrolled the survivor; every other
/// record points at a Patient its own agency wrote, and inherits that Patient's survivor.
/// </summary>
public sealed partial class FhirWrites(ConsentDb db, RecordClassifier classifier, TimeProvider time, ILogger<FhirWrites> logger)
{
    public async Task<IResult> CreateAsync(FhirCaller caller, string resourceType, string json, CancellationToken cancellationToken)
    {
        var parsed = Parse(resourceType, json, id: null);
        if (parsed.Error is not null)
        {
            return parsed.Error;
        }

        var (record, error) = await AddAsync(caller, parsed.Resource!, cancellationToken);
        return error ?? Written(record!, StatusCodes.Status201Created);
    }

    /// <summary>Stores a new record owned by the caller's agency (a server-assigned id); the error result when it cannot.</summary>
    public async Task<(FhirRecord? Record, IResult? Error)> AddAsync(FhirCaller caller, Resource resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(resource);
        var record = new FhirRecord(resource.TypeName, Guid.NewGuid().ToString("n"), caller.AgencyId, caller.ClientId);
        var refused = await StoreAsync(caller, record, resource, isNew: true, cancellationToken);
        if (refused is not null)
        {
            return (null, refused);
        }

        db.FhirRecords.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        LogWritten(logger, record.ResourceType, record.Id, caller.AgencyId, record.VersionId);
        return (record, null);
    }

    public async Task<IResult> UpdateAsync(FhirCaller caller, string resourceType, string id, string json, string? ifMatch,
        CancellationToken cancellationToken)
    {
        var parsed = Parse(resourceType, json, id);
        if (parsed.Error is not null)
        {
            return parsed.Error;
        }

        var record = await db.FhirRecords.FirstOrDefaultAsync(r => r.ResourceType == resourceType && r.Id == id, cancellationToken);
        if (record is null || record.SourceAgencyId != caller.AgencyId)
        {
            // Updates go only to the agency's own records; creating with a chosen id is not supported.
            return FhirOutcomes.NotFound();
        }

        if (ifMatch is not null && ifMatch != ETag(record.VersionId))
        {
            return FhirOutcomes.PreconditionFailed("The record has changed since that version; read it again.");
        }

        // The identifiers replaced and the records relinked with a Patient go with its update, or not at all.
        using var turn = await SqliteWriteTurn.TakeAsync(db, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var linkedBefore = record.SurvivorId;
        var stored = await StoreAsync(caller, record, parsed.Resource!, isNew: false, cancellationToken);
        if (stored is not null)
        {
            return stored;
        }

        if (resourceType == "Patient" && record.SurvivorId != linkedBefore)
        {
            // The Patient's records follow it to (or away from) the survivor.
            var survivorId = record.SurvivorId;
            await db.FhirRecords.Where(r => r.PatientId == id && r.ResourceType != "Patient" && r.SourceAgencyId == caller.AgencyId)
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.SurvivorId, survivorId), cancellationToken);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return FhirOutcomes.Conflict("Someone changed this record at the same time; read it again.");
        }

        LogWritten(logger, resourceType, record.Id, caller.AgencyId, record.VersionId);
        return Written(record, StatusCodes.Status200OK);
    }

    public static string ETag(int versionId) => "W/\"" + versionId.ToString(CultureInfo.InvariantCulture) + "\"";

    private static (Resource? Resource, IResult? Error) Parse(string resourceType, string json, string? id)
    {
        Resource resource;
        try
        {
            resource = JsonSerializer.Deserialize<Resource>(json, FhirModel.Json)
                ?? throw new JsonException("The body is empty.");
        }
        catch (DeserializationFailedException failed)
        {
            // The parser's messages name the element and the rule; they are the caller's own input and are not logged.
            return (null, FhirOutcomes.Structure(failed.Exceptions.Select(e => e.Message)));
        }
        catch (JsonException)
        {
            return (null, FhirOutcomes.Invalid("The body is not a FHIR JSON resource."));
        }

        if (resource.TypeName != resourceType)
        {
            return (null, FhirOutcomes.Invalid($"The body is not a {resourceType} resource."));
        }

        if (id is null ? false : resource.Id != id)
        {
            return (null, FhirOutcomes.Invalid("The resource id in the body must match the id in the URL."));
        }

        return (resource, null);
    }

    /// <summary>Validates links and labels, stamps <c>meta</c>, and stores the JSON; an error result when it cannot.</summary>
    private async Task<IResult?> StoreAsync(FhirCaller caller, FhirRecord record, Resource resource, bool isNew, CancellationToken cancellationToken)
    {
        var (labels, unknown) = classifier.Labels(resource.Meta);
        if (unknown is not null)
        {
            return FhirOutcomes.Unprocessable(
                "A meta.security label is not in the platform's label table (sensitive labels must use the system the table names).");
        }

        string patientId;
        string? survivorId;
        List<FhirPatientIdentifier>? identifiers = null;
        if (resource is Patient patient)
        {
            patientId = record.Id;
            var links = patient.Identifier.Where(i => i.System == FhirModel.SurvivorIdentifierSystem).Select(i => i.Value).Distinct().ToList();
            if (links.Count > 1)
            {
                return FhirOutcomes.Unprocessable("A Patient is linked to at most one survivor.");
            }

            survivorId = links.Count == 1 ? links[0] : null;
            if (survivorId is not null
                && !await db.Survivors.AnyAsync(s => s.Id == survivorId && s.EnrollingAgencyId == caller.AgencyId, cancellationToken))
            {
                // The same answer whether the survivor does not exist or another agency enrolled them.
                return FhirOutcomes.Unprocessable("Only the agency that enrolled a survivor can link a Patient to them.");
            }

            identifiers = [.. patient.Identifier
                .Where(i => !string.IsNullOrEmpty(i.System) && !string.IsNullOrEmpty(i.Value) && i.System.Length <= 256 && i.Value.Length <= 256)
                .Select(i => new FhirPatientIdentifier(record.Id, i.System!, i.Value!))];
        }
        else
        {
            var reference = FhirModel.PatientReference[resource.TypeName](resource)?.Reference;
            var target = reference is not null && reference.StartsWith("Patient/", StringComparison.Ordinal) ? reference[8..] : null;
            var owner = target is null ? null : await db.FhirRecords.AsNoTracking()
                .Where(r => r.ResourceType == "Patient" && r.Id == target && r.SourceAgencyId == caller.AgencyId)
                .Select(r => new { r.Id, r.SurvivorId }).FirstOrDefaultAsync(cancellationToken);
            if (owner is null)
            {
                return FhirOutcomes.Unprocessable("The record must reference (as Patient/{id}) a Patient your agency wrote.");
            }

            patientId = owner.Id;
            survivorId = owner.SurvivorId;
        }

        var now = time.GetUtcNow();
        resource.Id = record.Id;
        resource.Meta ??= new Meta();
        resource.Meta.VersionId = (record.VersionId + 1).ToString(CultureInfo.InvariantCulture);
        resource.Meta.LastUpdated = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        record.Store(patientId, survivorId, labels, FhirModel.CategoryCodes(resource), now, FhirModel.Serialize(resource));

        if (identifiers is not null)
        {
            if (!isNew)
            {
                await db.FhirPatientIdentifiers.Where(i => i.PatientId == record.Id).ExecuteDeleteAsync(cancellationToken);
            }

            db.FhirPatientIdentifiers.AddRange(identifiers);
        }

        return null;
    }

    private static IResult Written(FhirRecord record, int status) => new WrittenResult(record, status);

    private sealed class WrittenResult(FhirRecord record, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = FhirModel.ContentType;
            response.Headers.ETag = ETag(record.VersionId);
            response.Headers.LastModified = record.LastUpdated.ToString("R", CultureInfo.InvariantCulture);
            response.Headers.Location = $"{httpContext.Request.PathBase}/fhir/{record.ResourceType}/{record.Id}/_history/{record.VersionId}";
            return response.WriteAsync(record.Json);
        }
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "FHIR {ResourceType}/{Id} written by {AgencyId} (version {Version})")]
    private static partial void LogWritten(ILogger logger, string resourceType, string id, string agencyId, int version);
}
