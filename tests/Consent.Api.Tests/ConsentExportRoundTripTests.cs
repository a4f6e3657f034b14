using System.Text.Json;
using Consent.Api.Agencies;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.DenyList;
using Consent.Api.Fhir;
using Consent.Api.Mous;
using Consent.Api.Sharing;
using Consent.Api.StatutoryBases;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Policies;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using Task = System.Threading.Tasks.Task;
using ApiGrant = Consent.Api.Consents.ConsentGrant;
using ApiMou = Consent.Api.Mous.Mou;
using ApiStatutoryBasis = Consent.Api.StatutoryBases.StatutoryBasis;

namespace Consent.Api.Tests;

/// <summary>
/// The exported Consents, evaluated by an independent R4 evaluator (<see cref="R4ConsentEvaluator"/>) as a consent
/// decision service would, never permit a read that the platform's own policy refuses: for a matrix of grants (whole
/// record, categories, sensitive labels named and not, revoked, expired, pending, never-share list, without an MOU) and
/// 51A cases (open, closed, beside a grant), every demo agency as recipient, every purpose, every other agency as
/// source and ten kinds of record.
/// </summary>
public sealed class ConsentExportRoundTripTests(ApiHost api, ITestOutputHelper output) : IClassFixture<ApiHost>
{
    private const string By = "test-setup";

    private static readonly string[] AgencyIds = ["harbor-house", "bridge-legal", "northside-clinic", "lighthouse-counseling", "metro-police", "dcf-region-4"];

    /// <summary>Kinds of record: a resource type and its security labels (the category follows from them).</summary>
    private static readonly (string Type, string[] Labels)[] Records =
    [
        ("Patient", []), ("EpisodeOfCare", []), ("Observation", []), ("Observation", ["PSY"]), ("Condition", ["SUD"]),
        ("Condition", ["PSY", "SUD"]), ("DocumentReference", []), ("Observation", ["IMMIGRATION"]), ("Condition", ["HIV"]), ("Encounter", ["SDV"]),
    ];

    private sealed record Scenario(string Name, string SurvivorId);

    [Fact]
    public async Task NoExportedConsentPermitsAReadThePolicyRefuses()
    {
        var scenarios = await SeedAsync();
        using var scope = api.Services.CreateScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ConsentDb>();
        var export = services.GetRequiredService<ConsentExport>();
        var sharing = services.GetRequiredService<SharingDecisions>();
        var classifier = services.GetRequiredService<RecordClassifier>();
        var purposes = services.GetRequiredService<IOptions<ConsentOptions>>().Value.Purposes.Values.ToList();
        var types = await db.Agencies.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.Type);
        var version = await db.FactsVersions.AsNoTracking().Select(v => v.Version).FirstAsync();

        var table = new List<(string Scenario, int BothPermit, int BothDeny, int PolicyOnly, int ExportOnly)>();
        var wider = new List<string>();
        foreach (var scenario in scenarios)
        {
            var consents = (await export.ForSurvivorAsync(scenario.SurvivorId, new ResourceReference("Patient/p-" + scenario.SurvivorId), default))
                .Select(c => JsonDocument.Parse(FhirModel.Serialize(c)).RootElement.Clone()).ToList();
            int both = 0, neither = 0, policyOnly = 0, exportOnly = 0;
            foreach (var recipient in AgencyIds)
            {
                foreach (var purpose in purposes)
                {
                    var facts = await sharing.ForAsync(new Requester { AgencyId = recipient, AgencyType = types[recipient], ClientId = recipient + "-system" },
                        scenario.SurvivorId, version, purpose.Code, null, default);
                    foreach (var source in AgencyIds.Where(a => a != recipient))
                    {
                        foreach (var (type, labels) in Records)
                        {
                            var policy = (await facts.DecideAsync(source, type, labels, default)).IsPermit;
                            var question = new ConsentQuestion(recipient, source, purpose.System, purpose.Code, type, classifier.CategoryOf(type, labels), labels,
                                facts.Now);
                            var exported = R4ConsentEvaluator.Permits(consents, question);
                            _ = (policy, exported) switch
                            {
                                (true, true) => both++,
                                (false, false) => neither++,
                                (true, false) => policyOnly++,
                                (false, true) => exportOnly++,
                            };
                            if (exported && !policy)
                            {
                                wider.Add($"{scenario.Name}: {recipient} {purpose.Code} {type}[{string.Join(',', labels)}] from {source}");
                            }
                        }
                    }
                }
            }

            table.Add((scenario.Name, both, neither, policyOnly, exportOnly));
        }

        output.WriteLine("| scenario | both permit | both deny | policy permits, export does not | export permits, policy does not |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var row in table)
        {
            output.WriteLine($"| {row.Scenario} | {row.BothPermit} | {row.BothDeny} | {row.PolicyOnly} | {row.ExportOnly} |");
        }

        output.WriteLine($"| all | {table.Sum(r => r.BothPermit)} | {table.Sum(r => r.BothDeny)} | {table.Sum(r => r.PolicyOnly)} | {table.Sum(r => r.ExportOnly)} |");
        wider.ShouldBeEmpty();
        // The export is not empty-handed: where the policy permits through a grant or a 51A case, so does the export.
        table.Single(r => r.Scenario == "grants").BothPermit.ShouldBeGreaterThan(0);
        table.Single(r => r.Scenario == "51A open").BothPermit.ShouldBeGreaterThan(0);
        table.Single(r => r.Scenario == "never-share list").BothPermit.ShouldBe(0);
        table.Single(r => r.Scenario == "without MOU").BothPermit.ShouldBe(0);
        table.Single(r => r.Scenario == "51A closed").BothPermit.ShouldBe(0);
        table.Sum(r => r.PolicyOnly).ShouldBeLessThan(table.Sum(r => r.BothPermit));
    }

    [Fact]
    public async Task TheExportCarriesTheDecisionsAServiceNeeds()
    {
        var scenarios = await SeedAsync();
        using var scope = api.Services.CreateScope();
        var export = scope.ServiceProvider.GetRequiredService<ConsentExport>();
        var patient = new ResourceReference("Patient/p-grants");
        var consents = await export.ForSurvivorAsync(scenarios.Single(s => s.Name == "grants").SurvivorId, patient, default);

        consents.ShouldAllBe(c => c.Scope!.Coding[0].Code == "patient-privacy" && c.Category.Any(k => k.Coding[0].Code == "patient-privacy")
            && c.Category.Any(k => k.Coding[0].Code == "59284-0") && c.Patient!.Reference == "Patient/p-grants"
            && c.Provision!.Type == Hl7.Fhir.Model.Consent.ConsentProvisionType.Deny);
        // Only active Consents carry permits; revoked, expired and pending ones carry none.
        consents.Where(c => c.Status != Hl7.Fhir.Model.Consent.ConsentState.Active).ShouldAllBe(c => c.Provision!.Provision.Count == 0);
        consents.Count(c => c.Status == Hl7.Fhir.Model.Consent.ConsentState.Proposed).ShouldBe(1);
        consents.Count(c => c.Status == Hl7.Fhir.Model.Consent.ConsentState.Inactive).ShouldBeGreaterThanOrEqualTo(2);

        // The clinic's whole-record grant (all sources) permits through the demo MOU only: the clinic receives from Harbor
        // House, for the purposes and categories both name; sensitive labels the grant does not name are denied beneath.
        var clinic = consents.Single(c => c.Status == Hl7.Fhir.Model.Consent.ConsentState.Active
            && c.Provision!.Provision.Any(p => p.Actor.Any(a => a.Role.Coding[0].Code == "IRCP" && a.Reference.Reference == "Organization/northside-clinic")));
        var permit = clinic.Provision!.Provision.ShouldHaveSingleItem();
        permit.Type.ShouldBe(Hl7.Fhir.Model.Consent.ConsentProvisionType.Permit);
        permit.Actor.Where(a => a.Role.Coding[0].Code == "CST").Select(a => a.Reference.Reference).ShouldBe(["Organization/harbor-house"]);
        permit.Purpose.Select(p => p.Code).Order().ShouldBe(["COC", "TREAT"]);
        permit.Code.Select(c => c.Coding[0].Code).ShouldBe(["case-management", "contact", "health"]);
        permit.Class.Select(c => c.Code).ShouldContain("Observation");
        permit.Class.Select(c => c.Code).ShouldNotContain("DocumentReference");
        permit.Provision.ShouldHaveSingleItem().Type.ShouldBe(Hl7.Fhir.Model.Consent.ConsentProvisionType.Deny);
        permit.Provision[0].SecurityLabel.Select(l => l.Code).Order().ShouldBe(["ETH", "HIV", "IMMIGRATION", "PSY", "SDV", "SUD"]);

        // The 51A case is its own Consent, under the statute.
        var minor = await export.ForSurvivorAsync(scenarios.Single(s => s.Name == "51A open").SurvivorId, patient, default);
        var statute = minor.Single(c => c.Id!.StartsWith(ConsentFhir.StatutoryIdPrefix, StringComparison.Ordinal));
        statute.Status.ShouldBe(Hl7.Fhir.Model.Consent.ConsentState.Active);
        statute.Policy.ShouldHaveSingleItem().Uri.ShouldBe(ConsentFhir.Statute51A);
        statute.Provision!.Provision.ShouldAllBe(p => p.Purpose.Single().Code == "CHILDPROT"
            && p.Provision.Single().SecurityLabel.Select(l => l.Code).SequenceEqual(new[] { "ETH", "SUD" }));
    }

    private Task<List<Scenario>>? seeded;

    private Task<List<Scenario>> SeedAsync() => seeded ??= SeedOnceAsync();

    /// <summary>Survivors and MOUs of their own, written as the services write them (the demo's MOU between Harbor House and Northside Clinic stays).</summary>
    private async Task<List<Scenario>> SeedOnceAsync()
    {
        using var scope = api.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var now = api.Clock.GetUtcNow();
        var suffix = Guid.NewGuid().ToString("n")[..8];
        Scenario Survivor(string name, DateOnly? born)
        {
            var id = $"sv-rt-{db.Survivors.Local.Count}-{suffix}";
            db.Survivors.Add(new Survivor(id, "harbor-house", "en", born, null, By, now.AddDays(-100)));
            return new Scenario(name, id);
        }

        var minorBirth = DateOnly.FromDateTime(now.UtcDateTime).AddYears(-12);
        var grants = Survivor("grants", new DateOnly(1990, 4, 2));
        var denied = Survivor("never-share list", new DateOnly(1988, 1, 9));
        var noMou = Survivor("without MOU", null);
        var open51A = Survivor("51A open", minorBirth);
        var closed51A = Survivor("51A closed", minorBirth);

        Mou("Harbor House to Bridge Legal", ["harbor-house", "bridge-legal"], [("harbor-house", "bridge-legal")], [PurposesOfUse.Legal], ["contact", "documents"]);
        Mou("Treatment with Lighthouse", ["harbor-house", "northside-clinic", "lighthouse-counseling"],
            [("harbor-house", "lighthouse-counseling"), ("northside-clinic", "lighthouse-counseling")], [PurposesOfUse.Treatment], ["health", "mental-health", "substance-use"]);
        Mou("Harbor House to Metro Police", ["harbor-house", "metro-police"], [("harbor-house", "metro-police")], [PurposesOfUse.LawEnforcement], ["contact", "health"]);
        var caseAgencies = new[] { "dcf-region-4", "metro-police", "lighthouse-counseling", "northside-clinic" };
        Mou("Child protection team", caseAgencies, [.. caseAgencies.SelectMany(a => caseAgencies.Where(b => b != a).Select(b => (a, b)))],
            [PurposesOfUse.ChildProtection], ["contact", "case-management", "health", "documents", "mental-health", "substance-use", "sexual-violence"]);
        Mou("Harbor House to DCF (expired)", ["harbor-house", "dcf-region-4"], [("harbor-house", "dcf-region-4")], [PurposesOfUse.CoordinationOfCare], ["contact"],
            effective: now.AddDays(-400), expires: now.AddDays(-35));

        // Grants: whole record, categories, sensitive named, sensitive not named, revoked, expired, pending.
        Grant(grants, "northside-clinic", null, ["contact", "case-management", "health", "documents"], [PurposesOfUse.Treatment, PurposesOfUse.CoordinationOfCare]);
        Grant(grants, "bridge-legal", ["harbor-house"], ["contact", "documents"], [PurposesOfUse.Legal]);
        Grant(grants, "lighthouse-counseling", ["harbor-house", "northside-clinic"], ["health", "mental-health"], [PurposesOfUse.Treatment]);
        Grant(grants, "metro-police", ["harbor-house"], ["contact", "health"], [PurposesOfUse.LawEnforcement]);
        Grant(grants, "bridge-legal", ["harbor-house"], ["health"], [PurposesOfUse.Legal]).Revoke(By, now.AddMinutes(-5));
        Grant(grants, "northside-clinic", ["harbor-house"], ["health"], [PurposesOfUse.Treatment], start: now.AddDays(-60), end: now.AddDays(-1));
        Grant(grants, "dcf-region-4", ["harbor-house"], ["contact"], [PurposesOfUse.CoordinationOfCare], start: now.AddDays(10), end: now.AddDays(40));

        // The never-share list overrides a grant and its MOU.
        Grant(denied, "northside-clinic", ["harbor-house"], ["contact", "health"], [PurposesOfUse.Treatment]);
        db.DenyEntries.Add(new DenyEntry(Guid.CreateVersion7(now), denied.SurvivorId, "northside-clinic", null, null, By, now.AddMinutes(-1)));

        // Grants with no MOU in force between source and recipient.
        Grant(noMou, "bridge-legal", ["harbor-house"], ["health"], [PurposesOfUse.Legal]);
        Grant(noMou, "lighthouse-counseling", ["bridge-legal"], ["contact", "health"], [PurposesOfUse.Treatment]);
        Grant(noMou, "dcf-region-4", ["harbor-house"], ["contact"], [PurposesOfUse.CoordinationOfCare]);

        // 51A: an open case (with a grant naming substance use beside it) and a closed one.
        Case(open51A, caseAgencies);
        Grant(open51A, "dcf-region-4", ["lighthouse-counseling"], ["substance-use"], [PurposesOfUse.ChildProtection]);
        db.DenyEntries.Add(new DenyEntry(Guid.CreateVersion7(now), open51A.SurvivorId, "northside-clinic", null, null, By, now.AddMinutes(-1)));
        Case(closed51A, caseAgencies).Close(By, now.AddMinutes(-5), "closed for the test");

        await db.SaveChangesAsync();
        return [grants, denied, noMou, open51A, closed51A];

        ApiGrant Grant(Scenario who, string recipient, string[]? sources, string[] categories, string[] purposes, DateTimeOffset? start = null,
            DateTimeOffset? end = null)
        {
            var grant = ApiGrant.Grant(Guid.CreateVersion7(now), who.SurvivorId, new ConsentTerms(recipient, sources is null, sources ?? [], categories, purposes,
                start ?? now.AddDays(-1), end ?? now.AddDays(90), ConsentMethod.WitnessedPaper, By, new ConsentText("general-sharing", "3", "en"),
                ConsentDecidedBy.Survivor), By, now.AddMinutes(-10 + db.Consents.Local.Count));
            db.Consents.Add(grant);
            return grant;
        }

        void Mou(string title, string[] parties, (string, string)[] flows, string[] purposes, string[] categories, DateTimeOffset? effective = null,
            DateTimeOffset? expires = null)
        {
            var at = effective ?? now.AddDays(-30);
            var mou = new ApiMou(Guid.CreateVersion7(now), new MouTerms(title, parties, flows, purposes, categories, at, expires ?? now.AddYears(1)), By, parties[0], at);
            mou.AttachDocument(new string('a', 64), "application/pdf", 10);
            mou.SubmitForSignature(at);
            foreach (var party in parties)
            {
                mou.Sign(party, By, at, new string('a', 64));
            }

            db.Mous.Add(mou);
        }

        ApiStatutoryBasis Case(Scenario who, string[] agencies)
        {
            var basis = new ApiStatutoryBasis(Guid.CreateVersion7(now), who.SurvivorId, "dcf-region-4", By, ReporterRole.ChildProtectionWorker,
                DateOnly.FromDateTime(now.UtcDateTime.AddDays(-3)), "51A-RT-" + suffix,
                agencies.Select(a => new InvolvedAgency(a, a switch
                {
                    "dcf-region-4" => InvolvedRole.ChildProtection,
                    "metro-police" => InvolvedRole.LawEnforcement,
                    "lighthouse-counseling" => InvolvedRole.Therapist,
                    _ => InvolvedRole.MedicalProvider,
                })), null, now.AddDays(-3));
            db.StatutoryBases.Add(basis);
            return basis;
        }
    }
}
