using System.Globalization;
using Consent.Api.Categories;
using Hl7.Fhir.Model;
using FhirConsent = Hl7.Fhir.Model.Consent;

namespace Consent.Api.Consents;

/// <summary>
/// Expresses a grant as an HL7 FHIR R4 <c>Consent</c>: a permit provision for the recipient (IRCP), from the
/// source custodians (CST), for the purposes, resource types and — for sensitive categories — the security
/// labels the grant names, over the grant's period.
/// </summary>
public static class ConsentFhir
{
    public const string GrantIdentifierSystem = "https://consent.example/fhir/NamingSystem/consent-grant";
    public const string CategorySystem = "https://consent.example/fhir/CodeSystem/data-category";
    public const string ConsentTextBase = "https://consent.example/consent-text/";
    public const string AllSourcesExtension = "https://consent.example/fhir/StructureDefinition/all-sources";
    public const string ParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

    public static FhirConsent ToFhir(ConsentGrant grant, DateTimeOffset now, ConsentOptions options, DataCategoryOptions categories)
    {
        var status = grant.StatusAt(now);
        var consent = new FhirConsent
        {
            Id = grant.Id.ToString("n"),
            Meta = new Meta
            {
                VersionId = grant.Version.ToString(CultureInfo.InvariantCulture),
                LastUpdated = grant.RecordedAt,
            },
            Language = grant.Text.Language,
            Identifier = [new Identifier(GrantIdentifierSystem, grant.Id.ToString())],
            Status = status switch
            {
                ConsentStatus.Active => FhirConsent.ConsentState.Active,
                ConsentStatus.Pending => FhirConsent.ConsentState.Proposed,
                _ => FhirConsent.ConsentState.Inactive,
            },
            Scope = new CodeableConcept("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent"),
            Category = [new CodeableConcept("http://loinc.org", "59284-0", "Patient Consent")],
            Patient = new ResourceReference("Patient/" + grant.SurvivorId),
            DateTimeElement = new FhirDateTime(grant.GrantedAt),
            Performer = [grant.DecidedBy == ConsentDecidedBy.Survivor
                ? new ResourceReference("Patient/" + grant.SurvivorId)
                : new ResourceReference { Display = "Decision-maker on record for the minor" }],
            PolicyRule = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in"),
            Policy = [new FhirConsent.PolicyComponent
            {
                Uri = $"{ConsentTextBase}{Uri.EscapeDataString(grant.Text.Id)}/{Uri.EscapeDataString(grant.Text.Version)}/{grant.Text.Language}",
            }],
        };

        if (grant.Method != ConsentMethod.Portal)
        {
            consent.Verification.Add(new FhirConsent.VerificationComponent
            {
                Verified = true,
                VerificationDateElement = new FhirDateTime(grant.GrantedAt),
            });
        }

        var provision = new FhirConsent.provisionComponent
        {
            Type = FhirConsent.ConsentProvisionType.Permit,
            Period = new Period(new FhirDateTime(grant.Start), new FhirDateTime(grant.End)),
        };
        provision.Actor.Add(Actor("IRCP", "information recipient", grant.RecipientAgencyId));
        provision.Actor.AddRange(grant.SourceAgencyIds.Select(source => Actor("CST", "custodian", source)));
        if (grant.AllSources)
        {
            provision.Extension.Add(new Extension(AllSourcesExtension, new FhirBoolean(true)));
        }

        foreach (var purpose in grant.Purposes)
        {
            var p = options.Purposes[purpose];
            provision.Purpose.Add(new Coding(p.System, p.Code, p.Display));
        }

        foreach (var code in grant.Categories)
        {
            var category = categories.Categories.GetValueOrDefault(code);
            provision.Code.Add(new CodeableConcept(CategorySystem, code, category?.Display));
            if (category is null)
            {
                continue;
            }

            foreach (var type in category.ResourceTypes.Where(t => provision.Class.All(c => c.Code != t)))
            {
                provision.Class.Add(new Coding("http://hl7.org/fhir/resource-types", type));
            }

            foreach (var label in category.Labels.Where(l => provision.SecurityLabel.All(s => s.Code != l.Code)))
            {
                provision.SecurityLabel.Add(new Coding(label.System, label.Code));
            }
        }

        consent.Provision = provision;
        return consent;
    }

    private static FhirConsent.provisionActorComponent Actor(string role, string display, string agencyId) => new()
    {
        Role = new CodeableConcept(ParticipationType, role, display),
        Reference = new ResourceReference("Organization/" + agencyId),
    };
}
