using System.Diagnostics;
using System.Globalization;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// dotnet run -c Release --project bench/DisclosureLog.Bench -- [seconds per mode] [writers] [warm-up seconds] [rounds]
//
// Durable appends to the disclosure log from concurrent writers on one SQLite file (WAL, synchronous=FULL),
// group commit against one transaction per entry (the same writer with batches of one), in the same run. Each
// round measures both modes, each on a fresh file with the same warm-up, duration and writers; rounds alternate
// which mode goes first, so a noisy neighbour on a shared machine does not always land on the same one.
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var writers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
var warmUp = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;

Console.WriteLine($"Disclosure log append: {writers} concurrent writers, {warmUp:0.#} s warm-up, {seconds:0.#} s measured per mode, {rounds} rounds, {Environment.ProcessorCount} cores");
var results = new List<(RunResult Naive, RunResult Group)>();
for (var round = 1; round <= rounds; round++)
{
    RunResult naive, group;
    if (round % 2 == 1)
    {
        naive = await AppendRun.MeasureAsync("one transaction per entry", maxBatchSize: 1, writers, warmUp, seconds);
        group = await AppendRun.MeasureAsync("group commit", maxBatchSize: 1024, writers, warmUp, seconds);
    }
    else
    {
        group = await AppendRun.MeasureAsync("group commit", maxBatchSize: 1024, writers, warmUp, seconds);
        naive = await AppendRun.MeasureAsync("one transaction per entry", maxBatchSize: 1, writers, warmUp, seconds);
    }

    results.Add((naive, group));
}

Console.WriteLine();
Console.WriteLine("| round | one transaction per entry | group commit | ratio |");
Console.WriteLine("|---|---:|---:|---:|");
for (var i = 0; i < results.Count; i++)
{
    var (naive, group) = results[i];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {i + 1} | {naive.EntriesPerSecond:N0}/s ({naive.MeanLatencyMs:0.0} ms) | {group.EntriesPerSecond:N0}/s ({group.MeanLatencyMs:0.0} ms) | {group.EntriesPerSecond / naive.EntriesPerSecond:0.0}x |"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| median | {Median(results.Select(r => r.Naive.EntriesPerSecond)):N0}/s | {Median(results.Select(r => r.Group.EntriesPerSecond)):N0}/s | {Median(results.Select(r => r.Group.EntriesPerSecond / r.Naive.EntriesPerSecond)):0.0}x |"));
Console.WriteLine("(entries/s durable; mean append latency in brackets)");

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

internal sealed record RunResult(string Name, double EntriesPerSecond, double MeanLatencyMs);

internal static class AppendRun
{
    public static async Task<RunResult> MeasureAsync(string name, int maxBatchSize, int writers, double warmUpSeconds, double seconds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "consent-disclosure-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "consent.db");
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DisclosureLog:MaxBatchSize"] = maxBatchSize.ToString(CultureInfo.InvariantCulture),
            });
            builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.Services.AddDbContext<ConsentDb>(options => options.UseSqlite($"Data Source={file}"));
            builder.AddDisclosureLog();
            using var host = builder.Build();
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<ConsentDb>().Database.MigrateAsync();
            }

            await host.StartAsync();
            var log = host.Services.GetRequiredService<IDisclosureLog>();

            await RunWritersAsync(log, writers, TimeSpan.FromSeconds(warmUpSeconds), "warm");
            var before = await CountAsync(host);
            var stopwatch = Stopwatch.StartNew();
            var (appended, latencyTicks) = await RunWritersAsync(log, writers, TimeSpan.FromSeconds(seconds), "run");
            stopwatch.Stop();
            await host.StopAsync();

            var (total, durability) = await InspectAsync(host);
            if (total - before != appended)
            {
                throw new InvalidOperationException($"{appended} appends acknowledged but {total - before} entries stored.");
            }

            var result = new RunResult(name, appended / stopwatch.Elapsed.TotalSeconds,
                TimeSpan.FromTicks(latencyTicks / Math.Max(appended, 1)).TotalMilliseconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {appended} entries in {stopwatch.Elapsed.TotalSeconds:0.00} s, {durability}, chain verified over {total} entries"));
            return result;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(long Appended, long LatencyTicks)> RunWritersAsync(IDisclosureLog log, int writers, TimeSpan duration, string tag)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            long appended = 0, latency = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                await log.AppendAsync(Draft($"{tag}-{writer}-{appended}", writer), CancellationToken.None);
                latency += Stopwatch.GetElapsedTime(started).Ticks;
                appended++;
            }

            return (appended, latency);
        })));
        return (counts.Sum(c => c.appended), counts.Sum(c => c.latency));
    }

    private static DisclosureDraft Draft(string requestId, int writer) => new(
        "northside-clinic", "northside-ehr", $"user-{writer}", $"sv-{1000 + writer}", "Observation", ["obs-1", "obs-2", "obs-3"], "TREAT",
        DisclosureDecision.Permit, [DisclosureBasis.Grant(Guid.CreateVersion7()), DisclosureBasis.Mou(Guid.CreateVersion7())], "0.1.0", requestId);

    private static async Task<long> CountAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsentDb>().Disclosures.LongCountAsync();
    }

    /// <summary>Reads the whole chain back and verifies it, and reports the journal mode the file ended in.</summary>
    private static async Task<(long Total, string Durability)> InspectAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var entries = await db.Disclosures.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        if (DisclosureChain.FirstBreak(entries) is { } broken)
        {
            throw new InvalidOperationException($"The chain breaks at entry {broken}.");
        }

        var journal = (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync()).Single();
        return (entries.Count, $"journal_mode={journal}, synchronous=FULL");
    }
}
