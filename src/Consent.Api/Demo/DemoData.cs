using Consent.Api.Agencies;
using Consent.Api.Consents;
using Consent.Api.Fhir;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Consent.Api.Mous;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using PurposesOfUse = Consent.Policies.PurposesOfUse;
using Microsoft.EntityFrameworkCore;
using DemoAgencies = Consent.Policies.DemoAgencies;

namespace Consent.Api.Demo;

/// <summary>
/// With <c>Demo:Seed</c> true, the same agencies as the identity provider's demo, the demo survivor
/// <c>sv-1001</c> (an adult enrolled by Harbor House), a minor with a decision-maker, a sample grant and an active MOU.
/// Each item is added only if missing, so restarts change nothing.
/// </summary>
public sealed partial class DemoData(ConsentDb db, FhirWrites fhir, TimeProvider time, ILogger<DemoData> logger)
{
    public const string AdultSurvivorId = "sv-1001";
    public const string MinorSurvivorId = "sv-1002";
    public const string Seeder = "demo-seed";

    /// <summary>A demo agency as the demo stores it (also for <c>consent seed</c>, whose grants name these agencies).</summary>
    public static Agency AgencyOf((string Id, string Name, string Type) agency) =>
        new(agency.Id, agency.Name, agency.Type, "Region 4", ["en", "es"], "Intake desk");

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var added = 0;
        foreach (var (id, name, type) in DemoAgencies.All)
        {
            if (!await db.Agencies.AnyAsync(a => a.Id == id, cancellationToken))
            {
                db.Agencies.Add(AgencyOf((id, name, type)));
                added++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);

        if (!await db.Survivors.AnyAsync(s => s.Id == AdultSurvivorId, cancellationToken))
        {
            db.Survivors.Add(new Survivor(AdultSurvivorId, "harbor-house", "en", new DateOnly(1994, 3, 12), null, Seeder, now));
            added++;
        }

        if (!await db.Survivors.AnyAsync(s => s.Id == MinorSurvivorId, cancellationToken))
        {
            var minor = new Survivor(MinorSurvivorId, "harbor-house", "es",
                DateOnly.FromDateTime(now.UtcDateTime).AddYears(-15), null, Seeder, now);
            minor.SetDecisionMaker(new DecisionMaker(DecisionMakerKind.CustodialAgency, "dcf-region-4", "custody order", "dcf-region-4"));
            db.Survivors.Add(minor);
            added++;
        }

        await db.SaveChangesAsync(cancellationToken);

        if (!await db.Consents.AnyAsync(c => c.SurvivorId == AdultSurvivorId, cancellationToken))
        {
            var grant = ConsentGrant.Grant(Guid.CreateVersion7(now), AdultSurvivorId, new ConsentTerms(
                "northside-clinic", false, ["harbor-house"], ["contact", "case-management"], [PurposesOfUse.CoordinationOfCare],
                now, now.AddDays(180), ConsentMethod.WitnessedPaper, Seeder, new ConsentText("general-sharing", "3", "en"),
                ConsentDecidedBy.Survivor), Seeder, now);
            db.Consents.Add(grant);
            db.ConsentVersions.AddRange(grant.Versions);
            added++;
        }

        if (!await db.Mous.AnyAsync(cancellationToken))
        {
            // Harbor House and Northside Clinic share both ways for care coordination: the demo's active MOU.
            var mou = new Mou(Guid.CreateVersion7(now), new MouTerms("Harbor House and Northside Clinic: care coordination",
                ["harbor-house", "northside-clinic"], [("harbor-house", "northside-clinic"), ("northside-clinic", "harbor-house")],
                [PurposesOfUse.CoordinationOfCare, PurposesOfUse.Treatment], ["contact", "case-management", "health"], now, now.AddYears(2)), Seeder, "harbor-house", now);
            var document = System.Text.Encoding.UTF8.GetBytes("Demo memorandum of understanding between Harbor House and Northside Clinic.");
            var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(document));
            mou.AttachDocument(sha256, "application/octet-stream", document.Length);
            mou.SubmitForSignature(now);
            mou.Sign("harbor-house", Seeder, now, sha256);
            mou.Sign("northside-clinic", Seeder, now, sha256);
            db.Mous.Add(mou);
            db.MouDocuments.Add(new MouDocument(mou.Id, document));
            added++;
        }

        await db.SaveChangesAsync(cancellationToken);
        added += await SeedRecordsAsync(cancellationToken);
        if (added > 0)
        {
            LogSeeded(logger, added);
        }
    }

    /// <summary>
    /// Harbor House's records about the demo survivor, as its system would write them through /fhir: a linked Patient,
    /// a vital-signs Observation (health), a mental-health Condition (labelled PSY), an EpisodeOfCare and a safety CarePlan.
    /// Nothing here describes a real person.
    /// </summary>
    private async Task<int> SeedRecordsAsync(CancellationToken cancellationToken)
    {
        if (await db.FhirRecords.AnyAsync(cancellationToken))
        {
            return 0;
        }

        var shelter = new FhirCaller("harbor-house", "harbor-house-system", null);
        var (patient, _) = await fhir.AddAsync(shelter, new Patient
        {
            Identifier =
            [
                new Identifier(FhirModel.SurvivorIdentifierSystem, AdultSurvivorId),
                new Identifier("https://harbor-house.example/fhir/sid/case", "HH-2026-0193"),
            ],
            Gender = AdministrativeGender.Female,
            Communication = [new Patient.CommunicationComponent { Language = new CodeableConcept("urn:ietf:bcp:47", "en") }],
        }, cancellationToken);
        var subject = new ResourceReference("Patient/" + patient!.Id);
        Resource[] records =
        [
            new Observation
            {
                Status = ObservationStatus.Final,
                Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")],
                Code = new CodeableConcept("http://loinc.org", "85354-9", "Blood pressure panel"),
                Subject = subject,
                Effective = new FhirDateTime("2026-11-02"),
                Component =
                [
                    new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "8480-6", "Systolic"), Value = new Quantity(118, "mm[Hg]") },
                    new Observation.ComponentComponent { Code = new CodeableConcept("http://loinc.org", "8462-4", "Diastolic"), Value = new Quantity(76, "mm[Hg]") },
                ],
            },
            new Condition
            {
                Meta = new Meta { Security = [new Coding(FhirModel.ActCodeSystem, Consent.Policies.SecurityLabels.MentalHealth)] },
                Code = new CodeableConcept { Text = "Post-traumatic stress, under care" },
                Subject = subject,
            },
            new EpisodeOfCare { Status = EpisodeOfCare.EpisodeOfCareStatus.Active, Patient = subject },
            new CarePlan
            {
                Status = RequestStatus.Active,
                Intent = CarePlan.CarePlanIntent.Plan,
                Title = "Safety plan",
                Subject = subject,
            },
        ];
        foreach (var record in records)
        {
            await fhir.AddAsync(shelter, record, cancellationToken);
        }

        return records.Length + 1;
    }

    [LoggerMessage(EventId = 6901, Level = LogLevel.Information, Message = "Demo data: {Count} items added")]
    private static partial void LogSeeded(ILogger logger, int count);
}

public static class DemoDataExtensions
{
    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DemoData>();
        return builder;
    }

    public static async Task SeedDemoDataAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Demo:Seed"))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync(app.Lifetime.ApplicationStopping);
    }
}
