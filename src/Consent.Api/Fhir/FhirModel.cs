using System.Text.Json;
using Hl7.Fhir.Model;

using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using FhirConsent = Hl7.Fhir.Model.Consent;
using FhirTask = Hl7.Fhir.Model.Task;

namespace Consent.Api.Fhir;

/// <summary>What the /fhir endpoints know about the resource types they store, and the JSON options they use.</summary>
public static class FhirModel
{
    public const string ContentType = "application/fhir+json";

    /// <summary>The identifier system of the platform's pseudonymous survivor ids (links a Patient to a survivor).</summary>
    public const string SurvivorIdentifierSystem = "https://consent.example/fhir/sid/survivor";

    /// <summary>The HL7 v3 code a response carries when 42 CFR Part 2 forbids redisclosure without consent.</summary>
    public const string NoRedisclosureCode = "NORDSCLCD";

    public const string ActCodeSystem = Consent.Policies.SecurityLabels.ActCodeSystem;

    public const string ConfidentialitySystem = Categories.RecordClassifier.ConfidentialitySystem;

    /// <summary>The redisclosure notice of 42 CFR 2.32, attached to every response that contains substance-use records.</summary>
    public const string RedisclosureNotice =
        "This record which has been disclosed to you is protected by federal confidentiality rules (42 CFR part 2). "
        + "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
        + "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
        + "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
        + "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, "
        + "the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of "
        + "the following applies: (i) further use or disclosure is expressly permitted by the written consent of the "
        + "individual whose information is being disclosed in this record or as otherwise permitted by 42 CFR part 2; "
        + "(ii) you are a covered entity or business associate and have received the record for treatment, payment, or "
        + "health care operations, or (iii) you have received the record from a covered entity or business associate as "
        + "permitted by 45 CFR part 164, subparts A and E. A general authorization for the release of medical or other "
        + "information is NOT sufficient to meet the required elements of written consent to further use or redisclose "
        + "the record (see 42 CFR 2.31).";

    /// <summary>The resource types agencies write, and how each points at its patient.</summary>
    public static IReadOnlyDictionary<string, Func<Resource, ResourceReference?>> PatientReference { get; } =
        new Dictionary<string, Func<Resource, ResourceReference?>>(StringComparer.Ordinal)
        {
            ["EpisodeOfCare"] = r => ((EpisodeOfCare)r).Patient,
            ["CarePlan"] = r => ((CarePlan)r).Subject,
            ["Goal"] = r => ((Goal)r).Subject,
            ["Task"] = r => ((FhirTask)r).For,
            ["ServiceRequest"] = r => ((ServiceRequest)r).Subject,
            ["Condition"] = r => ((Condition)r).Subject,
            ["Observation"] = r => ((Observation)r).Subject,
            ["Encounter"] = r => ((Encounter)r).Subject,
            ["MedicationStatement"] = r => ((MedicationStatement)r).Subject,
            ["AllergyIntolerance"] = r => ((AllergyIntolerance)r).Patient,
            ["DocumentReference"] = r => ((DocumentReference)r).Subject,
            ["Consent"] = r => ((FhirConsent)r).Patient,
        };

    /// <summary>Every resource type agencies may write: Patient and the types above.</summary>
    public static IReadOnlyList<string> WritableTypes { get; } = ["Patient", .. PatientReference.Keys.Order(StringComparer.Ordinal)];

    public static bool IsWritable(string type) => type == "Patient" || PatientReference.ContainsKey(type);

    /// <summary>The <c>system|code</c> of a resource's category codings (for the <c>category</c> search parameter).</summary>
    public static IEnumerable<string> CategoryCodes(Resource resource)
    {
        IEnumerable<CodeableConcept?> concepts = resource switch
        {
            Observation o => o.Category,
            Condition c => c.Category,
            CarePlan c => c.Category,
            Goal g => g.Category,
            ServiceRequest s => s.Category,
            DocumentReference d => d.Category,
            FhirConsent c => c.Category,
            EpisodeOfCare e => e.Type,
            Encounter e => e.Type,
            MedicationStatement m => [m.Category!],
            FhirTask t => [t.Code!],
            _ => [],
        };

        foreach (var concept in concepts)
        {
            foreach (var coding in concept?.Coding ?? [])
            {
                if (!string.IsNullOrEmpty(coding.Code))
                {
                    yield return (coding.System ?? "") + "|" + coding.Code;
                }
            }
        }

        if (resource is AllergyIntolerance allergy)
        {
            foreach (var category in allergy.Category ?? [])
            {
                if (category is { } value)
                {
                    yield return "http://hl7.org/fhir/allergy-intolerance-category|" + value.GetLiteral();
                }
            }
        }
    }

    /// <summary>Strict parsing (unknown elements, wrong types, bad values are errors) and compact output.</summary>
    public static JsonSerializerOptions Json { get; } =
        new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict);

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, resource.GetType(), Json);
}
