using Consent.Api.Categories;
using Consent.Api.StatutoryBases;
using Consent.Api.Storage;
using Consent.Api.Vocabulary;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FhirConsent = Hl7.Fhir.Model.Consent;

namespace Consent.Api.Consents;

/// <summary>
/// A survivor's consent directives as FHIR Consent resources (see <see cref="ConsentFhir"/>): one per grant and one per
/// 51A case, each the effective decision at the time of the read. Used by /fhir (agencies and consent directories) and
/// by the consent API's FHIR view of a grant.
/// </summary>
public sealed class ConsentExport(
    ConsentDb db, VocabularyCatalogue vocabulary, IOptions<DataCategoryOptions> categories, RecordClassifier classifier, TimeProvider time)
{
    /// <summary>
    /// The survivor as a logical reference (by the platform's survivor identifier), for a Consent read without a FHIR
    /// Patient in hand; it resolves with <c>Patient?identifier=</c>.
    /// </summary>
    public static ResourceReference SurvivorReference(string survivorId) =>
        new() { Identifier = new Identifier(Fhir.FhirModel.SurvivorIdentifierSystem, survivorId) };

    /// <summary>Every grant and 51A case of the survivor, newest decision first.</summary>
    public async Task<List<FhirConsent>> ForSurvivorAsync(string survivorId, ResourceReference patient, CancellationToken cancellationToken)
    {
        var grants = await db.Consents.AsNoTracking().Where(g => g.SurvivorId == survivorId).ToListAsync(cancellationToken);
        var bases = await db.StatutoryBases.AsNoTracking().Where(b => b.SurvivorId == survivorId).ToListAsync(cancellationToken);
        return await BuildAsync(survivorId, grants, bases, patient, cancellationToken);
    }

    /// <summary>One grant, judged on its survivor's facts.</summary>
    public async Task<FhirConsent> ForGrantAsync(ConsentGrant grant, ResourceReference patient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return (await BuildAsync(grant.SurvivorId, [grant], [], patient, cancellationToken))[0];
    }

    /// <summary>The grants given, as Consents (each survivor's facts loaded once).</summary>
    public async Task<List<(ConsentGrant Grant, FhirConsent Consent)>> ForGrantsAsync(IReadOnlyList<ConsentGrant> grants,
        Func<string, ResourceReference> patientOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentNullException.ThrowIfNull(patientOf);
        var exported = new List<(ConsentGrant, FhirConsent)>(grants.Count);
        foreach (var survivor in grants.GroupBy(g => g.SurvivorId, StringComparer.Ordinal))
        {
            var facts = await FactsAsync(survivor.Key, survivor.ToList(), [], cancellationToken);
            var now = time.GetUtcNow();
            exported.AddRange(survivor.Select(g => (g, ConsentFhir.ToFhir(g, facts, now, patientOf(survivor.Key), vocabulary, categories.Value, classifier))));
        }

        return exported;
    }

    private async Task<List<FhirConsent>> BuildAsync(string survivorId, List<ConsentGrant> grants, List<StatutoryBasis> bases, ResourceReference patient,
        CancellationToken cancellationToken)
    {
        var facts = await FactsAsync(survivorId, grants, bases, cancellationToken);
        var now = time.GetUtcNow();
        return
        [
            .. grants.Select(g => ConsentFhir.ToFhir(g, facts, now, patient, vocabulary, categories.Value, classifier))
                .Concat(bases.Select(b => ConsentFhir.ToFhir(b, facts, now, patient, vocabulary, categories.Value)))
                .OrderByDescending(c => c.DateTimeElement!.ToDateTimeOffset(TimeSpan.Zero)).ThenBy(c => c.Id, StringComparer.Ordinal),
        ];
    }

    private async Task<ConsentDirectiveFacts> FactsAsync(string survivorId, List<ConsentGrant> grants, List<StatutoryBasis> bases,
        CancellationToken cancellationToken)
    {
        var agencies = grants.Select(g => g.RecipientAgencyId)
            .Concat(bases.SelectMany(b => b.InvolvedAgencies.Select(a => a.AgencyId)))
            .Distinct(StringComparer.Ordinal).ToList();
        var dateOfBirth = bases.Count == 0
            ? null
            : await db.Survivors.AsNoTracking().Where(s => s.Id == survivorId).Select(s => s.DateOfBirth).FirstOrDefaultAsync(cancellationToken);
        var neverShare = await db.DenyEntries.AsNoTracking()
            .Where(d => d.SurvivorId == survivorId && d.RemovedAt == null && d.AgencyId != null)
            .Select(d => d.AgencyId!).ToListAsync(cancellationToken);
        var active = await db.Agencies.AsNoTracking().Where(a => agencies.Contains(a.Id) && a.Active).Select(a => a.Id).ToListAsync(cancellationToken);
        var mous = agencies.Count == 0
            ? []
            : await db.Mous.AsNoTracking().Where(m => m.Parties.Any(p => agencies.Contains(p.AgencyId))).ToListAsync(cancellationToken);
        return new ConsentDirectiveFacts(dateOfBirth, neverShare.ToHashSet(StringComparer.Ordinal), active.ToHashSet(StringComparer.Ordinal), mous);
    }
}
