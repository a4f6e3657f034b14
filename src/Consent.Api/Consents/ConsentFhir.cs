using System.Globalization;
using Consent.Api.Categories;
using Consent.Api.Mous;
using Consent.Api.StatutoryBases;
using Consent.Api.Vocabulary;
using SecurityLabels = Consent.Policies.SecurityLabels;
using Hl7.Fhir.Model;
using FhirConsent = Hl7.Fhir.Model.Consent;

namespace Consent.Api.Consents;

/// <summary>
/// What decides whether a consent directive is in effect besides its own terms: the survivor's date of birth (for a
/// 51A case), the agencies on the survivor's never-share list, the agencies active on the platform, and the MOUs of
/// the agencies concerned. Loaded by <see cref="ConsentExport"/>.
/// </summary>
public sealed record ConsentDirectiveFacts(
    DateOnly? DateOfBirth,
    IReadOnlySet<string> NeverShareAgencies,
    IReadOnlySet<string> ActiveAgencies,
    IReadOnlyList<Mou> Mous);

/// <summary>
/// Expresses the platform's sharing bases as HL7 FHIR R4 <c>Consent</c> resources in the rules pattern that consent
/// decision services read (IHE Privacy Consent on FHIR): the root provision denies, and each nested <c>permit</c>
/// provision is one exception, naming the recipient (IRCP) and sources (CST), purposes, resource types (<c>class</c>),
/// data categories (<c>code</c>) and period, with a further nested <c>deny</c> for the sensitive labels it does not open.
/// <para>
/// A resource is the <em>effective</em> decision, never wider than the policy: a grant permits only through an MOU in
/// force between each source and the recipient (the permit carries the purposes and categories both name, over the
/// period both cover), and a grant that does not permit now (revoked, expired, pending, its recipient on the
/// never-share list or suspended, no MOU in force) is not <c>active</c> and carries no permit at all.
/// </para>
/// </summary>
public static class ConsentFhir
{
    public const string GrantIdentifierSystem = "https://consent.example/fhir/NamingSystem/consent-grant";
    public const string StatutoryBasisIdentifierSystem = "https://consent.example/fhir/NamingSystem/statutory-basis";
    public const string CategorySystem = "https://consent.example/fhir/CodeSystem/data-category";
    public const string ConsentTextBase = "https://consent.example/consent-text/";
    public const string ParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    public const string ConsentScopeSystem = "http://terminology.hl7.org/CodeSystem/consentscope";
    public const string ResourceTypeSystem = "http://hl7.org/fhir/resource-types";

    /// <summary>IHE PCF's profile for consents with nested provisions and security labels.</summary>
    public const string PcfProfile = "https://profiles.ihe.net/ITI/PCF/StructureDefinition/IHE.PCF.consentAdvanced";

    /// <summary>Massachusetts General Laws chapter 119 section 51A: mandated reports of child abuse or neglect.</summary>
    public const string Statute51A = "https://malegislature.gov/Laws/GeneralLaws/PartI/TitleXVII/Chapter119/Section51A";

    /// <summary>The id of the Consent that expresses a 51A case.</summary>
    public const string StatutoryIdPrefix = "51a-";

    /// <summary>Labels a 51A case never opens: substance use needs a grant naming it (42 CFR Part 2).</summary>
    private static readonly string[] Part2Labels = [SecurityLabels.SubstanceAbuse, SecurityLabels.SubstanceUse];

    public static string IdOf(StatutoryBasis basis) => StatutoryIdPrefix + basis.Id.ToString("n");

    /// <summary>
    /// A grant as a Consent, at <paramref name="now"/>, about <paramref name="patient"/>; the labels it opens are the
    /// ones the policy is given for it (<see cref="RecordClassifier.LabelsNamedBy"/>).
    /// </summary>
    public static FhirConsent ToFhir(ConsentGrant grant, ConsentDirectiveFacts facts, DateTimeOffset now, ResourceReference patient,
        VocabularyCatalogue vocabulary, DataCategoryOptions categories, RecordClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(facts);
        var status = grant.StatusAt(now);
        var consent = Directive(grant.Id.ToString("n"), grant.Version, grant.RecordedAt, new Identifier(GrantIdentifierSystem, grant.Id.ToString()),
            patient, grant.GrantedAt);
        consent.Language = grant.Text.Language;
        consent.Performer = [grant.DecidedBy == ConsentDecidedBy.Survivor
            ? patient
            : new ResourceReference { Display = "Decision-maker on record for the minor" }];
        consent.PolicyRule = new CodeableConcept(SecurityLabels.ActCodeSystem, "OPTIN", "opt-in");
        consent.Policy = [new FhirConsent.PolicyComponent
        {
            Uri = $"{ConsentTextBase}{Uri.EscapeDataString(grant.Text.Id)}/{Uri.EscapeDataString(grant.Text.Version)}/{grant.Text.Language}",
        }];
        if (grant.Method != ConsentMethod.Portal)
        {
            consent.Verification.Add(new FhirConsent.VerificationComponent { Verified = true, VerificationDateElement = new FhirDateTime(grant.GrantedAt) });
        }

        var recipient = grant.RecipientAgencyId;
        var permits = new List<FhirConsent.provisionComponent>();
        if (status == ConsentStatus.Active && !facts.NeverShareAgencies.Contains(recipient) && facts.ActiveAgencies.Contains(recipient))
        {
            var opened = classifier.LabelsNamedBy(grant.Categories);
            foreach (var mou in facts.Mous.Where(m => InForce(m, now)))
            {
                var sources = mou.Flows.Where(f => f.RecipientAgencyId == recipient && f.SourceAgencyId != recipient)
                    .Select(f => f.SourceAgencyId)
                    .Where(source => grant.AllSources || grant.SourceAgencyIds.Contains(source, StringComparer.Ordinal))
                    .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                var purposes = grant.Purposes.Intersect(mou.Purposes, StringComparer.Ordinal).ToList();
                var covered = grant.Categories.Intersect(mou.Categories, StringComparer.Ordinal).ToList();
                var start = Later(grant.Start, mou.EffectiveFrom);
                var end = Earlier(grant.End, mou.ExpiresAt);
                if (sources.Count > 0 && purposes.Count > 0 && covered.Count > 0 && start < end)
                {
                    permits.Add(Permit(recipient, sources, purposes, covered, opened, start, end, vocabulary, categories));
                }
            }
        }

        consent.Status = status switch
        {
            ConsentStatus.Pending => FhirConsent.ConsentState.Proposed,
            ConsentStatus.Active when permits.Count > 0 => FhirConsent.ConsentState.Active,
            _ => FhirConsent.ConsentState.Inactive,
        };
        consent.Provision = Root(permits, new Period(new FhirDateTime(grant.Start), new FhirDateTime(grant.End)));
        return consent;
    }

    /// <summary>
    /// A 51A case as a Consent whose <c>policy</c> is the statute: active while the case is open and the survivor is a
    /// minor; one permit per pair of agencies on the case (in the roles the statute covers) with an MOU in force naming
    /// child protection, for the categories the MOU names, never opening substance-use labels.
    /// </summary>
    public static FhirConsent ToFhir(StatutoryBasis basis, ConsentDirectiveFacts facts, DateTimeOffset now, ResourceReference patient,
        VocabularyCatalogue vocabulary, DataCategoryOptions categories)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(facts);
        var consent = Directive(IdOf(basis), 1, basis.ClosedAt ?? basis.OpenedAt, new Identifier(StatutoryBasisIdentifierSystem, basis.Id.ToString()),
            patient, basis.OpenedAt);
        consent.Performer = [Organization(basis.ReporterAgencyId)];
        consent.Policy = [new FhirConsent.PolicyComponent { Authority = "https://malegislature.gov", Uri = Statute51A }];

        var adulthood = Consent.Policies.Majority.Adulthood(facts.DateOfBirth);
        var open = basis.IsOpen && basis.OpenedAt <= now && adulthood is { } adult && now < adult;
        var permits = new List<FhirConsent.provisionComponent>();
        if (open)
        {
            var onCase = basis.InvolvedAgencies.Where(a => CaseRole(a.Role)).Select(a => a.AgencyId).ToHashSet(StringComparer.Ordinal);
            var opened = SecurityLabels.Sensitive.Except(Part2Labels, StringComparer.Ordinal).ToList();
            foreach (var mou in facts.Mous.Where(m => InForce(m, now) && m.Purposes.Contains(StatutoryBasis.Purpose, StringComparer.Ordinal)))
            {
                foreach (var recipient in mou.Flows.Select(f => f.RecipientAgencyId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    if (!onCase.Contains(recipient) || facts.NeverShareAgencies.Contains(recipient) || !facts.ActiveAgencies.Contains(recipient))
                    {
                        continue;
                    }

                    var sources = mou.Flows.Where(f => f.RecipientAgencyId == recipient && f.SourceAgencyId != recipient && onCase.Contains(f.SourceAgencyId))
                        .Select(f => f.SourceAgencyId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                    var start = Later(basis.OpenedAt, mou.EffectiveFrom);
                    var end = Earlier(Earlier(mou.ExpiresAt, adulthood!.Value), basis.ClosedAt ?? DateTimeOffset.MaxValue);
                    if (sources.Count > 0 && mou.Categories.Count > 0 && start < end)
                    {
                        permits.Add(Permit(recipient, sources, [StatutoryBasis.Purpose], mou.Categories, opened, start, end, vocabulary, categories));
                    }
                }
            }
        }

        consent.Status = open && permits.Count > 0 ? FhirConsent.ConsentState.Active : FhirConsent.ConsentState.Inactive;
        consent.Provision = Root(permits, new Period { StartElement = new FhirDateTime(basis.OpenedAt),
            EndElement = basis.ClosedAt is { } closed ? new FhirDateTime(closed) : null });
        return consent;
    }

    public static ResourceReference Organization(string agencyId) => new("Organization/" + agencyId);

    private static FhirConsent Directive(string id, int version, DateTimeOffset lastUpdated, Identifier identifier, ResourceReference patient,
        DateTimeOffset decided) => new()
    {
        Id = id,
        Meta = new Meta
        {
            VersionId = version.ToString(CultureInfo.InvariantCulture),
            LastUpdated = lastUpdated,
            Profile = [PcfProfile],
        },
        Identifier = [identifier],
        Scope = new CodeableConcept(ConsentScopeSystem, "patient-privacy", "Privacy Consent"),
        Category =
        [
            new CodeableConcept(ConsentScopeSystem, "patient-privacy", "Privacy Consent"),
            new CodeableConcept("http://loinc.org", "59284-0", "Patient Consent"),
        ],
        Patient = patient,
        DateTimeElement = new FhirDateTime(decided),
    };

    private static FhirConsent.provisionComponent Root(List<FhirConsent.provisionComponent> permits, Period period)
    {
        var root = new FhirConsent.provisionComponent { Type = FhirConsent.ConsentProvisionType.Deny, Period = period };
        root.Provision.AddRange(permits);
        return root;
    }

    private static FhirConsent.provisionComponent Permit(string recipient, IReadOnlyList<string> sources, IReadOnlyList<string> purposes,
        IReadOnlyList<string> categoryCodes, IReadOnlyList<string> openedLabels, DateTimeOffset start, DateTimeOffset end, VocabularyCatalogue vocabulary,
        DataCategoryOptions categories)
    {
        var permit = new FhirConsent.provisionComponent
        {
            Type = FhirConsent.ConsentProvisionType.Permit,
            Period = new Period(new FhirDateTime(start), new FhirDateTime(end)),
        };
        permit.Actor.Add(Actor("IRCP", "information recipient", recipient));
        permit.Actor.AddRange(sources.Select(source => Actor("CST", "custodian", source)));
        foreach (var code in purposes)
        {
            if (vocabulary.PurposeByCode(code) is { } purpose)
            {
                permit.Purpose.Add(new Coding(purpose.System, purpose.Code, purpose.Display));
            }
        }

        foreach (var code in categoryCodes.Order(StringComparer.Ordinal))
        {
            var category = categories.Categories.GetValueOrDefault(code);
            permit.Code.Add(new CodeableConcept(CategorySystem, code, category?.Display));
            foreach (var type in category?.ResourceTypes ?? [])
            {
                if (permit.Class.All(c => c.Code != type))
                {
                    permit.Class.Add(new Coding(ResourceTypeSystem, type));
                }
            }
        }

        var closed = SecurityLabels.Sensitive.Where(l => !openedLabels.Contains(l, StringComparer.OrdinalIgnoreCase)).ToList();
        if (closed.Count > 0)
        {
            var deny = new FhirConsent.provisionComponent { Type = FhirConsent.ConsentProvisionType.Deny };
            deny.SecurityLabel.AddRange(closed.Select(label => new Coding(LabelSystem(label, categories), label)));
            permit.Provision.Add(deny);
        }

        return permit;
    }

    /// <summary>An MOU in force now: every party signed, effective, not expired or terminated.</summary>
    private static bool InForce(Mou mou, DateTimeOffset now) =>
        mou.StatusAt(now) == MouStatus.Active && mou.Parties.Count > 1 && mou.Parties.All(p => p.SignedAt is { } signed && signed <= now);

    private static bool CaseRole(InvolvedRole role) =>
        role is InvolvedRole.LawEnforcement or InvolvedRole.ChildProtection or InvolvedRole.Therapist or InvolvedRole.MedicalProvider;

    private static string LabelSystem(string label, DataCategoryOptions categories) =>
        categories.Categories.Values.SelectMany(c => c.Labels).FirstOrDefault(l => l.Code == label)?.System
        ?? (label == SecurityLabels.Immigration ? SecurityLabels.LocalSystem : SecurityLabels.ActCodeSystem);

    private static FhirConsent.provisionActorComponent Actor(string role, string display, string agencyId) => new()
    {
        Role = new CodeableConcept(ParticipationType, role, display),
        Reference = Organization(agencyId),
    };

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
