using System.Globalization;
using System.Text;
using System.Text.Json;
using Consent.Api.Agencies;
using Consent.Api.DisclosureLog;
using Consent.Api.Fhir;
using Consent.Api.Vocabulary;
using Consent.Policies;
using Hl7.Fhir.Model;

namespace Consent.Api.Compliance;

/// <summary>
/// A disclosure-log entry as a FHIR R4 AuditEvent after IHE Basic Audit Log Patterns (BALP): the recipient's RESTful
/// read (one record: BALP PatientRead) or query (several: BALP PatientQuery) of a survivor's records, recorded by the
/// platform, which holds the records for the agencies. A denied read is the same event with outcome 4 and no records.
/// </summary>
public static class AuditEvents
{
    public const string PatientReadProfile = "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead";
    public const string PatientQueryProfile = "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery";

    public const string AuditEventTypeSystem = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    public const string RestfulInteractionSystem = "http://hl7.org/fhir/restful-interaction";
    public const string DicomSystem = "http://dicom.nema.org/resources/ontology/DCM";
    public const string EntityTypeSystem = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    public const string ObjectRoleSystem = "http://terminology.hl7.org/CodeSystem/object-role";
    public const string SourceTypeSystem = "http://terminology.hl7.org/CodeSystem/security-source-type";
    public const string ParticipationTypeSystem = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    public const string ActReasonSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    public const string AgencyIdentifierSystem = "https://consent.example/fhir/sid/agency";
    public const string ClientIdentifierSystem = "https://consent.example/fhir/sid/client";
    public const string PlatformIdentifierSystem = "https://consent.example/fhir/sid/system";
    public const string LogIdentifierSystem = "https://consent.example/fhir/sid/disclosure-log";
    public const string AgencyTypeSystem = "https://consent.example/fhir/CodeSystem/agency-type";
    public const string PlatformId = "consent-platform";

    /// <summary>The URI a basis id is given as in <c>agent.policy</c>: <c>https://consent.example/basis/consent-grant/{id}</c>.</summary>
    public const string BasisBase = "https://consent.example/basis/";

    public static AuditEvent Of(DisclosureEntry entry, Agency? recipient, VocabularyCatalogue vocabulary)
    {
        var permitted = entry.Decision == DisclosureDecision.Permit;
        var query = entry.ResourceIds.Count > 1;
        var audit = new AuditEvent
        {
            Id = "disclosure-" + entry.Sequence.ToString(CultureInfo.InvariantCulture),
            Meta = permitted ? new Meta { Profile = [query ? PatientQueryProfile : PatientReadProfile] } : null,
            Type = new Coding(AuditEventTypeSystem, "rest", "Restful Operation"),
            Subtype = [query ? new Coding(RestfulInteractionSystem, "search-type", "search type") : new Coding(RestfulInteractionSystem, "read", "read")],
            Action = query ? AuditEvent.AuditEventAction.E : AuditEvent.AuditEventAction.R,
            Recorded = entry.RecordedAt.ToUniversalTime(),
            Outcome = permitted ? AuditEvent.AuditEventOutcome.N0 : AuditEvent.AuditEventOutcome.N4,
            OutcomeDesc = permitted ? null : "Denied: nothing was disclosed.",
            PurposeOfEvent = [Purpose(entry, vocabulary)],
            Source = new AuditEvent.SourceComponent
            {
                Site = PlatformId,
                Observer = Platform(),
                Type = [new Coding(SourceTypeSystem, "4", "Application Server")],
            },
        };

        audit.Agent.Add(new AuditEvent.AgentComponent
        {
            // BALP: the client asking is the Source Role ID (the query flows from it), the server the Destination Role ID.
            Type = new CodeableConcept(DicomSystem, "110153", "Source Role ID"),
            Who = new ResourceReference { Identifier = new Identifier(ClientIdentifierSystem, entry.ClientId) },
            Requestor = false,
        });
        // The recipient agency asked (its user, if any, as altId): the one requestor.
        var recipientAgent = new AuditEvent.AgentComponent
        {
            Type = new CodeableConcept(ParticipationTypeSystem, "IRCP", "information recipient"),
            Who = new ResourceReference
            {
                Identifier = new Identifier(AgencyIdentifierSystem, entry.RecipientAgencyId),
                Display = recipient?.Name,
            },
            AltId = entry.UserId,
            Requestor = true,
            Policy = [.. entry.Basis.Select(BasisUri)],
            PurposeOfUse = [Purpose(entry, vocabulary)],
        };
        if (recipient is not null)
        {
            recipientAgent.Role = [new CodeableConcept(AgencyTypeSystem, recipient.Type)];
        }

        audit.Agent.Add(recipientAgent);
        audit.Agent.Add(new AuditEvent.AgentComponent
        {
            Type = new CodeableConcept(DicomSystem, "110152", "Destination Role ID"),
            Role = [new CodeableConcept(ParticipationTypeSystem, "CST", "custodian")],
            Who = Platform(),
            Requestor = false,
        });

        // The survivor by pseudonymous identifier only: the platform holds no name.
        audit.Entity.Add(new AuditEvent.EntityComponent
        {
            What = new ResourceReference { Identifier = new Identifier(FhirModel.SurvivorIdentifierSystem, entry.SurvivorId) },
            Type = new Coding(EntityTypeSystem, "1", "Person"),
            Role = new Coding(ObjectRoleSystem, "1", "Patient"),
        });
        foreach (var reference in entry.ResourceIds)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference(reference),
                Type = new Coding(EntityTypeSystem, "2", "System Object"),
                Role = new Coding(ObjectRoleSystem, "4", "Domain Resource"),
            });
        }

        if (query)
        {
            // The log records the type searched, not the request's query string.
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                Type = new Coding(EntityTypeSystem, "2", "System Object"),
                Role = new Coding(ObjectRoleSystem, "24", "Query"),
                Description = "Search of " + entry.ResourceType + " records; the log keeps the resource type, not the query string.",
                Query = Encoding.UTF8.GetBytes(entry.ResourceType),
            });
        }

        audit.Entity.Add(LogEntry(entry));
        return audit;
    }

    public static string BasisUri(DisclosureBasis basis) =>
        BasisBase + JsonNamingPolicy.KebabCaseLower.ConvertName(basis.Kind.ToString()) + "/" + Uri.EscapeDataString(basis.Id);

    /// <summary>The log entry itself, so an auditor can match the event to the chain: sequence, hashes, policy and request.</summary>
    private static AuditEvent.EntityComponent LogEntry(DisclosureEntry entry)
    {
        var component = new AuditEvent.EntityComponent
        {
            What = new ResourceReference
            {
                Identifier = new Identifier(LogIdentifierSystem, entry.Sequence.ToString(CultureInfo.InvariantCulture)),
                Display = "Disclosure log entry " + entry.Sequence.ToString(CultureInfo.InvariantCulture),
            },
            Type = new Coding(EntityTypeSystem, "2", "System Object"),
            Role = new Coding(ObjectRoleSystem, "13", "Security Resource"),
        };
        void Detail(string type, string value) => component.Detail.Add(new AuditEvent.DetailComponent { Type = type, Value = new FhirString(value) });
        Detail("hash", entry.Hash);
        Detail("previousHash", entry.PreviousHash);
        Detail("policyVersion", entry.PolicyVersion);
        Detail("requestId", entry.RequestId);
        Detail("resourceType", entry.ResourceType);
        Detail("breakGlass", entry.BreakGlass ? "true" : "false");
        foreach (var basis in entry.Basis)
        {
            Detail("basis", basis.ToString());
        }

        return component;
    }

    /// <summary>The purpose as configured (its system and display) where the code is known; break-glass adds HL7's BTG.</summary>
    private static CodeableConcept Purpose(DisclosureEntry entry, VocabularyCatalogue vocabulary)
    {
        var configured = vocabulary.PurposeByCode(entry.PurposeOfUse);
        var concept = new CodeableConcept
        {
            Coding = [configured is null
                ? new Coding(PurposesOfUse.LocalSystem, entry.PurposeOfUse)
                : new Coding(configured.System, configured.Code, configured.Display)],
        };
        if (entry.BreakGlass)
        {
            concept.Coding.Add(new Coding(ActReasonSystem, "BTG", "break the glass"));
        }

        return concept;
    }

    private static ResourceReference Platform() => new()
    {
        Identifier = new Identifier(PlatformIdentifierSystem, PlatformId),
        Display = "Consent platform",
    };
}
