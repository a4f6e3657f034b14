using System.Globalization;
using System.Net;
using System.Text.Json;
using Consent.Api.DisclosureLog;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Tests;

/// <summary>
/// Thirty-one days of log on the API's clock, one day apart: the clinic reads 2 survivors a day and legal aid 12 (both
/// under MOUs that cover their purposes); on the last day the clinic reads 15, the police are refused one survivor 5
/// times and child protection another 4 times.
/// </summary>
public sealed class AnomaliesHost : IAsyncLifetime
{
    public const int BaselineDays = 30;

    public ApiHost Api { get; } = new();

    /// <summary>When each day's entries were recorded (day 0 first, day 30 the unusual one).</summary>
    public List<DateTimeOffset> Days { get; } = [];

    public List<DisclosureEntry> LastDay { get; } = [];

    public async Task InitializeAsync()
    {
        // Legal aid reads Harbor House's documents for legal advocacy under an MOU of its own; the clinic under the demo MOU.
        await Api.ActiveMouAsync(["harbor-house", "bridge-legal"], ["legal-advocacy"], ["documents"]);
        var log = Api.Services.GetRequiredService<IDisclosureLog>();
        for (var day = 0; day <= BaselineDays; day++)
        {
            Api.Clock.Advance(TimeSpan.FromDays(1));
            Days.Add(Api.Clock.GetUtcNow());
            var last = day == BaselineDays;
            for (var i = 0; i < (last ? 15 : 2); i++)
            {
                await Append(log, "northside-clinic", $"sv-c{i}", "TREAT", DisclosureDecision.Permit, last);
            }

            for (var i = 0; i < (last ? 13 : 12); i++)
            {
                await Append(log, "bridge-legal", $"sv-l{i}", "HLEGAL", DisclosureDecision.Permit, last);
            }
        }

        for (var i = 0; i < 5; i++)
        {
            await Append(log, "metro-police", "sv-target", "LAWENF", DisclosureDecision.Deny, true);
        }

        for (var i = 0; i < 4; i++)
        {
            await Append(log, "dcf-region-4", "sv-other", "CHILDPROT", DisclosureDecision.Deny, true);
        }
    }

    public Task DisposeAsync() => Api.DisposeAsync().AsTask();

    private async Task Append(IDisclosureLog log, string agency, string survivor, string purpose, DisclosureDecision decision, bool lastDay)
    {
        var entry = await log.AppendAsync(ComplianceHost.Draft(agency, agency + "-system", null, survivor, "Observation",
            decision == DisclosureDecision.Permit ? ["Observation/x-" + survivor] : [], purpose, decision,
            decision == DisclosureDecision.Permit ? [DisclosureBasis.Grant(Guid.NewGuid()), DisclosureBasis.Mou(Guid.NewGuid())] : []),
            CancellationToken.None);
        if (lastDay)
        {
            LastDay.Add(entry);
        }
    }
}

public sealed class AnomaliesTests(AnomaliesHost host) : IClassFixture<AnomaliesHost>
{
    private ApiHost Api => host.Api;

    [Fact]
    public async Task TheLastDay_FlagsTheClinicsVolume_ThePoliceDenials_AndPurposesNoMouCovers()
    {
        var compliance = await Api.Parties.Compliance();
        var report = await (await compliance.GetAsync("/api/compliance/anomalies")).Json();
        var flags = report.GetProperty("flags").EnumerateArray().ToList();

        var volume = flags.Where(f => f.GetProperty("kind").GetString() == "unusual-volume").ShouldHaveSingleItem();
        volume.GetProperty("agencyId").GetString().ShouldBe("northside-clinic");
        volume.GetProperty("count").GetInt32().ShouldBe(15);
        volume.GetProperty("threshold").GetDouble().ShouldBe(10, "max(10, 3 x a median of 2)");
        volume.GetProperty("survivorId").ValueKind.ShouldBe(JsonValueKind.Null);
        var clinicLastDay = host.LastDay.Where(e => e.RecipientAgencyId == "northside-clinic").Select(e => e.Sequence).ToList();
        volume.GetProperty("sequences").EnumerateArray().Select(s => s.GetInt64()).ShouldBe(clinicLastDay.Take(10));
        volume.GetProperty("explanation").GetString()!.ShouldContain("15 different survivors");

        var denials = flags.Where(f => f.GetProperty("kind").GetString() == "repeated-denials").ShouldHaveSingleItem();
        denials.GetProperty("agencyId").GetString().ShouldBe("metro-police");
        denials.GetProperty("survivorId").GetString().ShouldBe("sv-target");
        denials.GetProperty("count").GetInt32().ShouldBe(5);
        denials.GetProperty("sequences").EnumerateArray().Select(s => s.GetInt64())
            .ShouldBe(host.LastDay.Where(e => e.RecipientAgencyId == "metro-police").Select(e => e.Sequence));
        (denials.GetProperty("windowEnd").GetDateTimeOffset() - denials.GetProperty("windowStart").GetDateTimeOffset()).ShouldBe(TimeSpan.FromHours(24));

        // Neither the police nor child protection hold any MOU: every purpose they asked for is outside one. The clinic's
        // treatment reads and legal aid's legal reads are covered.
        var purposes = flags.Where(f => f.GetProperty("kind").GetString() == "purpose-outside-mou").ToList();
        purposes.Select(f => f.GetProperty("agencyId").GetString()).Order().ShouldBe(["dcf-region-4", "metro-police"]);
        purposes.Single(f => f.GetProperty("agencyId").GetString() == "metro-police").GetProperty("count").GetInt32().ShouldBe(5);
        purposes[0].GetProperty("explanation").GetString()!.ShouldContain("no MOU");
    }

    [Fact]
    public async Task ANormalDay_RaisesNoFlag_EvenAboveTheFloor()
    {
        var compliance = await Api.Parties.Compliance();
        var day = host.Days[20];
        var report = await (await compliance.GetAsync($"/api/compliance/anomalies?from={Instant(day.AddHours(-1))}&to={Instant(day.AddHours(1))}")).Json();
        report.GetProperty("flags").GetArrayLength().ShouldBe(0, report.ToString());
    }

    [Fact]
    public async Task Thresholds_ComeFromConfiguration()
    {
        await using var strict = Api.WithWebHostBuilder(builder => builder.UseSetting("Compliance:Anomalies:DeniedReadsThreshold", "4")
            .UseSetting("Compliance:Anomalies:VolumeFloor", "20"));
        var compliance = strict.CreateClient();
        compliance.DefaultRequestHeaders.Authorization = (await Api.Parties.Compliance()).DefaultRequestHeaders.Authorization;
        var flags = (await (await compliance.GetAsync("/api/compliance/anomalies")).Json()).GetProperty("flags").EnumerateArray().ToList();
        flags.Where(f => f.GetProperty("kind").GetString() == "repeated-denials").Select(f => f.GetProperty("agencyId").GetString()).Order()
            .ShouldBe(["dcf-region-4", "metro-police"]);
        flags.ShouldNotContain(f => f.GetProperty("kind").GetString() == "unusual-volume");
    }

    [Fact]
    public async Task TheDashboard_CountsTheOpenFlags()
    {
        var compliance = await Api.Parties.Compliance();
        var anomalies = (await (await compliance.GetAsync("/api/compliance/dashboard")).Json()).GetProperty("anomalies");
        anomalies.GetProperty("unusualVolume").GetInt32().ShouldBe(1);
        anomalies.GetProperty("repeatedDenials").GetInt32().ShouldBe(1);
        anomalies.GetProperty("purposeOutsideMou").GetInt32().ShouldBe(2);
        anomalies.GetProperty("open").GetInt32().ShouldBe(4);
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
