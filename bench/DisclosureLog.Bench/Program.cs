using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Consent.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// dotnet run -c Release --project bench/DisclosureLog.Bench -- [seconds per mode] [writers] [warm-up seconds] [rounds] [sqlite|postgres]
//
// Appends to the disclosure log from concurrent writers on one SQLite file (WAL), three modes of the same writer in
// the same run:
// - group commit: the writer as the API runs it (synchronous=FULL, batches of up to 1024), every append durable;
// - group commit, synchronous=OFF: the same writer on the same kind of file, with the writer's connection switched
//   to synchronous=OFF before its first transaction (a setting of this benchmark only): the writer's own cost
//   without the fsync, so group / OFF is the share of the undurable rate that durability leaves;
// - one transaction per entry: the same durable writer with batches of one.
// Each round measures every mode on a fresh file with the same warm-up, duration and writers; rounds alternate the
// order (forwards, then backwards), so a noisy neighbour on a shared machine does not always land on the same one.
// With "postgres": the same three modes on a throwaway PostgreSQL server with its durable defaults (fsync on), a fresh
// database per mode, and two instances of the writer (two hosts, as two API instances would be) appending to it, the
// writers split between them; synchronous=OFF becomes synchronous_commit=off on the writers' connections.
// Then, on SQLite only: another write's commit (a facts-version bump, as a consent grant makes) while the group-commit
// writer appends, as the API writes (the file's write turn, the log's checkpoint threshold, a busy timeout) and, in
// turn, as writes other than the log's were made before (no turn, SQLite's defaults: a threshold of 1000 pages, no busy
// timeout): what a survivor's or an agency's write paid when it waited for the writer's lock in the data provider's
// 150-ms sleeps, or ran the checkpoint of the log's WAL itself.
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var writers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
var warmUp = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
if (args.Length > 4 && args[4] == "postgres")
{
    AppendRun.Postgres = await PostgresServer.StartDurableAsync();
}

Mode[] modes =
[
    new("one transaction per entry", MaxBatchSize: 1, Synchronous: null),
    new("group commit", MaxBatchSize: 1024, Synchronous: null),
    new("group commit, synchronous=OFF", MaxBatchSize: 1024, Synchronous: "OFF"),
];

Console.WriteLine($"Disclosure log append{(AppendRun.Postgres is null ? " (SQLite)" : " (PostgreSQL, two writer instances on one database)")}: {writers} concurrent writers, {warmUp:0.#} s warm-up, {seconds:0.#} s measured per mode, {rounds} rounds, {Environment.ProcessorCount} cores");
var results = new List<Dictionary<Mode, RunResult>>();
for (var round = 1; round <= rounds; round++)
{
    var measured = new Dictionary<Mode, RunResult>();
    foreach (var mode in round % 2 == 1 ? modes : modes.Reverse())
    {
        measured[mode] = await AppendRun.MeasureAsync(mode, writers, warmUp, seconds);
    }

    results.Add(measured);
}

var (naive, group, off) = (modes[0], modes[1], modes[2]);
Console.WriteLine();
Console.WriteLine("| round | one transaction per entry | group commit | group commit, synchronous=OFF | group / OFF | group / one per entry |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
for (var i = 0; i < results.Count; i++)
{
    var r = results[i];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {i + 1} | {Rate(r[naive])} | {Rate(r[group])} | {Rate(r[off])} | {r[group].EntriesPerSecond / r[off].EntriesPerSecond:0%} | {r[group].EntriesPerSecond / r[naive].EntriesPerSecond:0.0}x |"));
}

var groupToOff = Median(results.Select(r => r[group].EntriesPerSecond / r[off].EntriesPerSecond));
var groupToNaive = Median(results.Select(r => r[group].EntriesPerSecond / r[naive].EntriesPerSecond));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| median | {Median(results.Select(r => r[naive].EntriesPerSecond)):N0}/s | {Median(results.Select(r => r[group].EntriesPerSecond)):N0}/s | {Median(results.Select(r => r[off].EntriesPerSecond)):N0}/s | {groupToOff:0%} | {groupToNaive:0.0}x |"));
Console.WriteLine("(entries/s; mean append latency in brackets; ratios per round, their medians in the last row)");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Targets: group commit >= 50% of synchronous=OFF: {(groupToOff >= 0.5 ? "met" : "not met")} ({groupToOff:0%}); >= 5x one transaction per entry: {(groupToNaive >= 5 ? "met" : "not met")} ({groupToNaive:0.0}x)."));

if (AppendRun.Postgres is null)
{
    await OtherWrites.MeasureAsync(group, writers, warmUp, seconds);
}

static string Rate(RunResult result) => string.Create(CultureInfo.InvariantCulture, $"{result.EntriesPerSecond:N0}/s ({result.MeanLatencyMs:0.0} ms)");

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>A way to run the writer: its batch size, and <c>synchronous</c> forced on its connection (null: as the API sets it).</summary>
internal sealed record Mode(string Name, int MaxBatchSize, string? Synchronous);

internal sealed record RunResult(string Name, double EntriesPerSecond, double MeanLatencyMs);

/// <summary>
/// Before the first transaction on each connection, sets <c>PRAGMA synchronous</c> when asked to, and reads back the
/// value in force, so every mode reports what its writer's commits actually ran with. The API's writer sets FULL when
/// it opens its connection; setting OFF here, after that and before any transaction, overrides it for this benchmark
/// without any switch in the product.
/// </summary>
internal sealed class SynchronousSetting(string? set) : DbTransactionInterceptor
{
    private static readonly string[] Names = ["OFF", "NORMAL", "FULL", "EXTRA"];
    private readonly ConditionalWeakTable<DbConnection, object> seen = [];

    /// <summary>
    /// <c>synchronous</c> and <c>wal_autocheckpoint</c> read back on the connection that began a transaction last for
    /// the first time.
    /// </summary>
    public string Observed { get; private set; } = "not read";

    public override InterceptionResult<DbTransaction> TransactionStarting(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (!seen.TryAdd(connection, this))
        {
            return result;
        }

        using var command = connection.CreateCommand();
        if (connection is not SqliteConnection)
        {
            // PostgreSQL: synchronous_commit comes with the connection string; read back what is in force.
            command.CommandText = "SHOW synchronous_commit";
            Observed = $"synchronous_commit={command.ExecuteScalar()}";
            return result;
        }

        if (set is not null)
        {
            command.CommandText = $"PRAGMA synchronous = {set};";
            command.ExecuteNonQuery();
        }

        command.CommandText = "PRAGMA synchronous;";
        var synchronous = Names[Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture)];
        command.CommandText = "PRAGMA wal_autocheckpoint;";
        Observed = $"{synchronous}, wal_autocheckpoint={command.ExecuteScalar()}";
        return result;
    }

    public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TransactionStarting(connection, eventData, result)); // two PRAGMAs once per connection: nothing to wait for
}

internal static class AppendRun
{
    /// <summary>The PostgreSQL server of a "postgres" run; null on SQLite.</summary>
    public static PostgresServer? Postgres { get; set; }

    public static async Task<RunResult> MeasureAsync(Mode mode, int writers, double warmUpSeconds, double seconds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "consent-disclosure-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var database = Postgres is null ? null : await Postgres.CreateDatabaseAsync();
        var synchronous = new SynchronousSetting(mode.Synchronous);
        var hosts = new List<IHost>();
        try
        {
            for (var i = 0; i < (Postgres is null ? 1 : 2); i++)
            {
                hosts.Add(Build(mode, database, Path.Combine(directory, "consent.db"), synchronous));
            }

            await using (var scope = hosts[0].Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<ConsentDb>().Database.MigrateAsync();
            }

            foreach (var host in hosts)
            {
                await host.StartAsync();
            }

            var logs = hosts.Select(h => h.Services.GetRequiredService<IDisclosureLog>()).ToList();
            await RunWritersAsync(logs, writers, TimeSpan.FromSeconds(warmUpSeconds), "warm");
            var before = await CountAsync(hosts[0]);
            var stopwatch = Stopwatch.StartNew();
            var (appended, latencyTicks) = await RunWritersAsync(logs, writers, TimeSpan.FromSeconds(seconds), "run");
            stopwatch.Stop();
            foreach (var host in hosts)
            {
                await host.StopAsync();
            }

            var (total, journal) = await InspectAsync(hosts[0]);
            if (total - before != appended)
            {
                throw new InvalidOperationException($"{appended} appends acknowledged but {total - before} entries stored.");
            }

            var result = new RunResult(mode.Name, appended / stopwatch.Elapsed.TotalSeconds,
                TimeSpan.FromTicks(latencyTicks / Math.Max(appended, 1)).TotalMilliseconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode.Name}: {appended} entries in {stopwatch.Elapsed.TotalSeconds:0.00} s, {journal}, writer's synchronous={synchronous.Observed}, chain verified over {total} entries"));
            return result;
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }

            SqliteConnection.ClearAllPools();
            if (database is not null)
            {
                await Postgres!.DropDatabaseAsync(database);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One instance of the writer as the API registers it, on SQLite at <paramref name="file"/> or on the PostgreSQL <paramref name="database"/>.</summary>
    public static IHost Build(Mode mode, string? database, string file, SynchronousSetting synchronous)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DisclosureLog:MaxBatchSize"] = mode.MaxBatchSize.ToString(CultureInfo.InvariantCulture),
        });
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (database is null)
        {
            builder.Services.AddDbContext<ConsentDb>((services, options) => options.UseConsentSqlite($"Data Source={file}", services).AddInterceptors(synchronous));
        }
        else
        {
            // On PostgreSQL durability is per session: synchronous_commit=off given at connection start (a setting of this benchmark only).
            var connection = mode.Synchronous is null ? database : database + ";Options=-c synchronous_commit=" + mode.Synchronous.ToLowerInvariant();
            builder.Services.AddDbContext<ConsentDb, PostgresConsentDb>(options => options.UseNpgsql(connection).AddInterceptors(synchronous));
        }

        builder.AddDisclosureLog();
        return builder.Build();
    }

    /// <summary>Writers spread over the writer instances, each appending as fast as its entries are acknowledged.</summary>
    public static async Task<(long Appended, long LatencyTicks)> RunWritersAsync(List<IDisclosureLog> logs, int writers, TimeSpan duration, string tag)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counts = await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            long appended = 0, latency = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                await logs[writer % logs.Count].AppendAsync(Draft($"{tag}-{writer}-{appended}", writer), CancellationToken.None);
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
    private static async Task<(long Total, string JournalMode)> InspectAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var entries = await db.Disclosures.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        if (DisclosureChain.FirstBreak(entries) is { } broken)
        {
            throw new InvalidOperationException($"The chain breaks at entry {broken}.");
        }

        var journal = db.Database.IsSqlite()
            ? "journal_mode=" + (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync()).Single()
            : "PostgreSQL";
        return (entries.Count, journal);
    }
}

/// <summary>
/// One-row commits of another feature while the log's writer appends: the facts-version bump every consent grant makes,
/// as the API writes (in the file's write turn, Storage/SqliteWriteTurn.cs, on a pooled connection as the API opens it,
/// Storage/SqliteConnectionSetup.cs), and in turn as every write but the log's was made before: no turn, on a connection
/// set back to SQLite's defaults (WAL checkpoint at 1000 pages, no busy timeout).
/// </summary>
internal static class OtherWrites
{
    private const string BumpSql = """UPDATE "FactsVersions" SET "Version" = "Version" + 1 WHERE "Id" = 1""";
    private const string SqliteDefaultsSql = "PRAGMA wal_autocheckpoint = 1000; PRAGMA busy_timeout = 0;";

    /// <param name="groupCommit">The writer as the API runs it (the rounds' group-commit mode).</param>
    public static async Task MeasureAsync(Mode groupCommit, int writers, double warmUpSeconds, double seconds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "consent-disclosure-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        try
        {
            using var host = AppendRun.Build(groupCommit, database: null, Path.Combine(directory, "consent.db"), new SynchronousSetting(null));
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<ConsentDb>().Database.MigrateAsync();
            }

            await host.StartAsync();
            List<IDisclosureLog> logs = [host.Services.GetRequiredService<IDisclosureLog>()];
            var appending = AppendRun.RunWritersAsync(logs, writers, TimeSpan.FromSeconds(warmUpSeconds + seconds), "other");
            await Task.Delay(TimeSpan.FromSeconds(warmUpSeconds));
            var asBuilt = new List<double>();
            var sqliteDefault = new List<double>();
            var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            for (var turn = 0; Stopwatch.GetTimestamp() < deadline; turn++)
            {
                (turn % 2 == 0 ? asBuilt : sqliteDefault).Add(await BumpAsync(host, atSqlitesDefault: turn % 2 == 1));
                await Task.Delay(10);
            }

            await appending;
            await host.StopAsync();
            Console.WriteLine();
            Console.WriteLine($"Another write's commit (facts-version bump) while {writers} writers append, {seconds:0.#} s, taken in turns:");
            Console.WriteLine("| the write | commits | median | p90 | max |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            Row("as the API writes (write turn, busy timeout, checkpoint at DisclosureLog:CheckpointPages)", asBuilt);
            Row("as before (no turn, no busy timeout, checkpoint at 1000 pages)", sqliteDefault);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One bump in its own transaction; on a connection set back to SQLite's defaults first when asked.</summary>
    private static async Task<double> BumpAsync(IHost host, bool atSqlitesDefault)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        await db.Database.OpenConnectionAsync();
        if (atSqlitesDefault)
        {
            await db.Database.ExecuteSqlRawAsync(SqliteDefaultsSql);
        }

        var started = Stopwatch.GetTimestamp();
        using (atSqlitesDefault ? null : await SqliteWriteTurn.TakeAsync(db, CancellationToken.None))
        {
            await db.Database.ExecuteSqlRawAsync(BumpSql);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (atSqlitesDefault)
        {
            // Not back to the pool with other settings: the next open sets the API's again (SqliteConnectionSetup).
            await db.Database.CloseConnectionAsync();
        }

        return elapsed;
    }

    private static void Row(string name, List<double> latencies)
    {
        var sorted = latencies.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {sorted.Length} | {sorted[sorted.Length / 2]:0.00} ms | {sorted[(int)(sorted.Length * 0.9)]:0.00} ms | {sorted[^1]:0.00} ms |"));
    }
}
