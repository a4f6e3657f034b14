using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Consent.Api.Fhir;

/// <summary>
/// One FHIR resource as an agency wrote it: the JSON as stored (with <c>meta</c> set by the server), the
/// agency that owns it, and what the policy and the searches need without parsing the JSON again: the survivor
/// it is about, the patient it references, its sensitive labels and its category codings.
/// </summary>
public sealed class FhirRecord
{
    private FhirRecord()
    {
    }

    public FhirRecord(string resourceType, string id, string sourceAgencyId, string createdByClient)
    {
        ResourceType = resourceType;
        Id = id;
        SourceAgencyId = sourceAgencyId;
        CreatedByClient = createdByClient;
    }

    public string ResourceType { get; private set; } = "";

    public string Id { get; private set; } = "";

    /// <summary>The agency that wrote the record and owns it.</summary>
    public string SourceAgencyId { get; private set; } = "";

    public string CreatedByClient { get; private set; } = "";

    /// <summary>The patient the record is about (for a Patient, its own id).</summary>
    public string PatientId { get; private set; } = "";

    /// <summary>The platform survivor the patient is linked to; null while unlinked (then nobody else can read it).</summary>
    public string? SurvivorId { get; private set; }

    /// <summary>Security label codes from <c>meta.security</c>, as validated against the label table.</summary>
    public List<string> Labels { get; private set; } = [];

    /// <summary><c>system|code</c> of the resource's category codings, for the <c>category</c> search.</summary>
    public List<string> CategoryCodes { get; private set; } = [];

    public int VersionId { get; private set; }

    public DateTimeOffset LastUpdated { get; private set; }

    /// <summary>The resource as FHIR JSON, including <c>id</c> and <c>meta</c>.</summary>
    public string Json { get; private set; } = "";

    public void Store(string patientId, string? survivorId, IEnumerable<string> labels, IEnumerable<string> categoryCodes,
        DateTimeOffset at, string json)
    {
        PatientId = patientId;
        SurvivorId = survivorId;
        Labels = [.. labels];
        CategoryCodes = [.. categoryCodes];
        VersionId++;
        LastUpdated = at;
        Json = json;
    }

    public void LinkTo(string survivorId) => SurvivorId = survivorId;
}

/// <summary>An identifier of a Patient, kept apart so that <c>Patient?identifier=system|value</c> is an index lookup.</summary>
public sealed class FhirPatientIdentifier
{
    private FhirPatientIdentifier()
    {
    }

    public FhirPatientIdentifier(string patientId, string system, string value)
    {
        PatientId = patientId;
        System = system;
        Value = value;
    }

    public long Key { get; private set; }

    public string PatientId { get; private set; } = "";

    public string System { get; private set; } = "";

    public string Value { get; private set; } = "";
}

internal sealed class FhirRecordConfiguration : IEntityTypeConfiguration<FhirRecord>
{
    public void Configure(EntityTypeBuilder<FhirRecord> record)
    {
        record.ToTable("FhirRecords");
        record.HasKey(r => new { r.ResourceType, r.Id });
        record.Property(r => r.ResourceType).HasMaxLength(64);
        record.Property(r => r.Id).HasMaxLength(64);
        record.Property(r => r.SourceAgencyId).HasMaxLength(64);
        record.Property(r => r.CreatedByClient).HasMaxLength(256);
        record.Property(r => r.PatientId).HasMaxLength(64);
        record.Property(r => r.SurvivorId).HasMaxLength(64);
        record.PrimitiveCollection(r => r.Labels);
        record.PrimitiveCollection(r => r.CategoryCodes);
        record.Property(r => r.VersionId).IsConcurrencyToken();
        record.HasIndex(r => new { r.SurvivorId, r.ResourceType });
        record.HasIndex(r => r.PatientId);
    }
}

internal sealed class FhirPatientIdentifierConfiguration : IEntityTypeConfiguration<FhirPatientIdentifier>
{
    public void Configure(EntityTypeBuilder<FhirPatientIdentifier> identifier)
    {
        identifier.ToTable("FhirPatientIdentifiers");
        identifier.HasKey(i => i.Key);
        identifier.Property(i => i.PatientId).HasMaxLength(64);
        identifier.Property(i => i.System).HasMaxLength(256);
        identifier.Property(i => i.Value).HasMaxLength(256);
        identifier.HasIndex(i => new { i.System, i.Value });
        identifier.HasIndex(i => i.PatientId);
    }
}
