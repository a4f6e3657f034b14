using Microsoft.Extensions.DependencyInjection;
using Consent.Api.Consents;
using Consent.Api.Demo;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using DemoAgencies = Consent.Policies.DemoAgencies;
using PurposesOfUse = Consent.Policies.PurposesOfUse;
using Microsoft.EntityFrameworkCore;

namespace Consent.Cli.Seed;

/// <summary>
/// Synthetic survivors (pseudonymous ids only: no birth date, no case manager) enrolled by the demo shelter, and their
/// consent grants to the other demo agencies, made by the API's own <see cref="ConsentGrant.Grant"/> and stored with
/// their version rows in the columns of the API's mapping (<see cref="TableColumns{TEntity}"/>), as its consent service stores a grant.
/// </summary>
internal sealed class SyntheticConsents(IServiceProvider services, TimeProvider time)
{
    /// <summary>Each synthetic survivor grants to this many agencies, one grant each.</summary>
    public const int GrantsPerSurvivor = 4;

    /// <summary>Grants (or survivors) per transaction.</summary>
    private const int Chunk = 50_000;

    private const string Source = "harbor-house";

    private static readonly (string Agency, string Purpose, string[] Categories)[] Recipients =
    [
        ("bridge-legal", PurposesOfUse.Legal, ["contact", "case-management"]),
        ("northside-clinic", PurposesOfUse.CoordinationOfCare, ["contact", "case-management", "health"]),
        ("lighthouse-counseling", PurposesOfUse.Treatment, ["contact", "health"]),
        ("dcf-region-4", PurposesOfUse.CareManagement, ["contact", "case-management"]),
    ];

    private static readonly string[] Languages = ["en", "es", "ko"];

    /// <summary>The demo agencies the grants name, added when missing (a database the demo never ran on).</summary>
    public async Task EnsureAgenciesAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var present = await db.Agencies.Select(a => a.Id).ToListAsync(cancellationToken);
        db.Agencies.AddRange(DemoAgencies.All.Where(a => !present.Contains(a.Id)).Select(DemoData.AgencyOf));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Enrolls synthetic survivors until <paramref name="count"/> exist (they are numbered from 1, without gaps).</summary>
    public async Task EnsureSurvivorsAsync(long existing, long count, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var columns = Columns<Survivor>();
        for (var next = existing + 1; next <= count; next += Chunk)
        {
            await using var rows = await FactRows.BeginAsync(services, cancellationToken);
            var first = next;
            await rows.InsertAsync(columns, Enumerable.Range(0, (int)Math.Min(Chunk, count - next + 1)).Select(i => new Survivor(
                SyntheticIds.Survivor(first + i), Source, Languages[(first + i) % Languages.Length], null, null, SyntheticIds.Recorder, now)),
                cancellationToken);
            await rows.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Adds synthetic grants <paramref name="first"/> to <paramref name="last"/> (grant k belongs to survivor
    /// ⌈k / <see cref="GrantsPerSurvivor"/>⌉, who must exist), with their version rows, reporting each chunk's count.
    /// </summary>
    public async Task AddGrantsAsync(long first, long last, Action<int> added, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var grantColumns = Columns<ConsentGrant>();
        var versionColumns = Columns<ConsentGrantVersion>();
        for (var k = first; k <= last; k += Chunk)
        {
            var start = k;
            var grants = Enumerable.Range(0, (int)Math.Min(Chunk, last - k + 1)).Select(i => Grant(start + i, now)).ToList();
            await using var rows = await FactRows.BeginAsync(services, cancellationToken);
            await rows.InsertAsync(grantColumns, grants, cancellationToken);
            await rows.InsertAsync(versionColumns, grants.SelectMany(g => g.Versions), cancellationToken);
            await rows.CommitAsync(cancellationToken);
            added(grants.Count);
        }
    }

    private TableColumns<TEntity> Columns<TEntity>()
        where TEntity : class
    {
        using var scope = services.CreateScope();
        return TableColumns<TEntity>.From(scope.ServiceProvider.GetRequiredService<ConsentDb>().Model);
    }

    /// <summary>Grant k: active, started up to a year ago, for 180 days past now at most, in the survivor's language.</summary>
    private static ConsentGrant Grant(long k, DateTimeOffset now)
    {
        var survivor = (k - 1) / GrantsPerSurvivor + 1;
        var (agency, purpose, categories) = Recipients[(k - 1) % GrantsPerSurvivor];
        var start = now.AddMinutes(-(k * 37 % 525_600));
        var method = k % 3 == 0 ? ConsentMethod.Portal : ConsentMethod.WitnessedPaper;
        return ConsentGrant.Grant(Guid.CreateVersion7(start), SyntheticIds.Survivor(survivor), new ConsentTerms(
            agency, false, [Source], categories, [purpose], start, now.AddDays(180 - k % 90), method,
            method == ConsentMethod.WitnessedPaper ? SyntheticIds.Recorder : null,
            new ConsentText("general-sharing", "3", Languages[survivor % Languages.Length]), ConsentDecidedBy.Survivor),
            SyntheticIds.Recorder, start);
    }
}
