using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Consent.TestSupport;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Consent.FhirRead.Bench;

/// <summary>
/// The growth suite (<c>run.sh --suite growth</c>): the authorized FHIR read (and the bare read beside it) at growing
/// database sizes, on SQLite and on PostgreSQL. Per provider: the platform started and seeded over HTTP as in the ratio
/// run; then for each scale, the API stopped, <c>consent seed</c> run to that many log entries (and as many consent
/// grants, up to <see cref="Options.MaxConsents"/>), the API started again on the grown database, and wrk run. The
/// p99 at each scale is reported against the p99 at the first.
/// </summary>
internal static class GrowthSuite
{
    public static async Task<int> RunAsync(Options options, CancellationToken cancel)
    {
        var results = new List<GrowthRow>();
        PostgresServer? postgres = null;
        foreach (var provider in options.Providers)
        {
            if (cancel.IsCancellationRequested)
            {
                break;
            }

            if (provider == "postgres")
            {
                postgres ??= await PostgresServer.StartDurableAsync();
            }

            await using var stack = await GrowthStack.StartAsync(options, provider == "postgres" ? postgres : null);
            foreach (var scale in options.Scales.TakeWhile(_ => !cancel.IsCancellationRequested))
            {
                var row = await stack.GrowAndMeasureAsync(scale, options, cancel);
                results.Add(row);
                Console.WriteLine(row.Summary());
            }
        }

        GrowthReport.Print(results, options);
        return results.Any(r => r.Bare.Non2xx + r.Authorized.Non2xx > 0) ? 1 : 0;
    }

    /// <summary>Identity and one API on one database (a SQLite file in the data folder, or a PostgreSQL database), grown step by step.</summary>
    private sealed class GrowthStack : IAsyncDisposable
    {
        private readonly PlatformProcesses platform;
        private readonly Options options;
        private readonly PostgresServer? server;
        private readonly Dictionary<string, string> settings;
        private string? database;
        private string observation = "";
        private DemoScenario scenario = null!;

        private GrowthStack(Options options, PostgresServer? server, PlatformProcesses platform, Dictionary<string, string> settings)
        {
            this.options = options;
            this.server = server;
            this.platform = platform;
            this.settings = settings;
        }

        private string Provider => server is null ? "SQLite" : "PostgreSQL";

        private string Data => platform.DataDirectory;

        private string SqliteFile => Path.Combine(Data, "consent.db");

        private string KeyFile => Path.Combine(Data, "keys", "deployment-signing.pem");

        public static async Task<GrowthStack> StartAsync(Options options, PostgresServer? server)
        {
            var data = Path.Combine(Path.GetTempPath(), "growth-bench", Guid.NewGuid().ToString("n"));
            var stack = new GrowthStack(options, server, new PlatformProcesses(options.Root, "Release", data), new Dictionary<string, string>
            {
                // The load comes from one client: far above what it sends, so that no answer is a 429.
                ["RateLimits__ClientPerMinute"] = "1000000000",
                ["Bench__BareRead"] = "true",
            });
            Console.WriteLine($"{stack.Provider}: apps from {options.Root}, data in {data}");
            await stack.platform.StartIdentityAsync();
            if (server is not null)
            {
                stack.database = await server.CreateDatabaseAsync();
                // The deployment's key, in a file both the API and the seed are given.
                Directory.CreateDirectory(Path.GetDirectoryName(stack.KeyFile)!);
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                await File.WriteAllTextAsync(stack.KeyFile, key.ExportPkcs8PrivateKeyPem());
                stack.settings["Storage__Provider"] = "Postgres";
                stack.settings["ConnectionStrings__Consent"] = stack.database;
                stack.settings["DisclosureTree__SigningKeyFile"] = stack.KeyFile;
            }

            await stack.platform.StartApiAsync(stack.settings);
            stack.scenario = new DemoScenario(stack.platform.IdentityUrl, stack.platform.Apis[0].Url, data);
            stack.observation = await stack.scenario.SeedObservationAsync();
            return stack;
        }

        /// <summary>Stops the API, seeds to <paramref name="scale"/> entries (unless the log is that large already), starts it again, measures.</summary>
        public async Task<GrowthRow> GrowAndMeasureAsync(long scale, Options options, CancellationToken cancel)
        {
            var consents = Math.Min(scale, options.MaxConsents);
            platform.StopApis();
            SeedRun? seed = null;
            var before = await LogSizeAsync();
            if (before < scale)
            {
                seed = new SeedRun(await SeedAsync(scale, consents, cancel), before);
            }

            var size = await SizeAsync();
            var entries = await LogSizeAsync();
            var api = await platform.StartApiAsync(settings);
            // A new instance listens on a port of its own.
            scenario = new DemoScenario(platform.IdentityUrl, api.Url, Data);
            var token = await scenario.AgencyTokenAsync(DemoScenario.Clinic, "system/*.rs");
            var authorizedUrl = new Uri(api.Url, $"fhir/Observation/{observation}");
            var bareUrl = new Uri(api.Url, $"bench/bare/Observation/{observation}");
            var check = await scenario.GetAsync($"fhir/Observation/{observation}", token);
            if (check.Status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{Provider} at {scale:N0}: the authorized read answered {(int)check.Status} {check.Body}");
            }

            await Wrk.RunAsync(bareUrl, token, options.Threads, options.Connections, options.WarmUp);
            await Wrk.RunAsync(authorizedUrl, token, options.Threads, options.Connections, options.WarmUp);
            var bare = new List<WrkResult>();
            var authorized = new List<WrkResult>();
            for (var i = 0; i < options.Rounds && !cancel.IsCancellationRequested; i++)
            {
                token = await scenario.AgencyTokenAsync(DemoScenario.Clinic, "system/*.rs");
                bare.Add(await Wrk.RunAsync(bareUrl, token, options.Threads, options.Connections, options.Seconds));
                authorized.Add(await Wrk.RunAsync(authorizedUrl, token, options.Threads, options.Connections, options.Seconds));
            }

            return new GrowthRow(Provider, scale, entries, consents, size, seed, Median(bare), Median(authorized), LoadAverage());
        }

        private async Task<TimeSpan> SeedAsync(long scale, long consents, CancellationToken cancel)
        {
            var cli = Path.Combine(options.Root, "src", "Consent.Cli", "bin", "Release", "net10.0", "consent.dll");
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            foreach (var argument in new[] { cli, "seed", "--scale", Text(scale), "--consents", Text(consents), "--connection", database ?? SqliteFile })
            {
                start.ArgumentList.Add(argument);
            }

            if (server is not null)
            {
                start.ArgumentList.Add("--signing-key-file");
                start.ArgumentList.Add(KeyFile);
            }

            Console.WriteLine($"{Provider}: consent seed --scale {scale:N0} --consents {consents:N0}");
            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start consent seed.");
            await process.WaitForExitAsync(cancel);
            stopwatch.Stop();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"consent seed exited with {process.ExitCode}.");
            }

            return stopwatch.Elapsed;
        }

        /// <summary>The log's size: its last sequence number.</summary>
        private async Task<long> LogSizeAsync()
        {
            const string Sql = """SELECT COALESCE(MAX("Sequence"), 0) FROM "DisclosureLog" """;
            if (database is null)
            {
                await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = SqliteFile, Mode = SqliteOpenMode.ReadOnly }.ToString());
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = Sql;
                return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }

            await using var pg = new NpgsqlConnection(database);
            await pg.OpenAsync();
            await using var query = new NpgsqlCommand(Sql, pg);
            return Convert.ToInt64(await query.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        /// <summary>The database's size on disk in bytes: the SQLite file and its WAL, or PostgreSQL's pg_database_size.</summary>
        private async Task<long> SizeAsync()
        {
            if (database is null)
            {
                SqliteConnection.ClearAllPools();
                return new[] { SqliteFile, SqliteFile + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
            }

            await using var pg = new NpgsqlConnection(database);
            await pg.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT pg_database_size(current_database())", pg);
            return (long)(await query.ExecuteScalarAsync())!;
        }

        public async ValueTask DisposeAsync()
        {
            platform.Dispose();
            SqliteConnection.ClearAllPools();
            if (server is not null && database is not null && !options.Keep)
            {
                await server.DropDatabaseAsync(database);
            }

            if (options.Keep)
            {
                Console.WriteLine($"{Provider}: data and app logs kept in {Data}" + (database is null ? "" : " (and the PostgreSQL database)"));
            }
            else
            {
                Directory.Delete(Data, recursive: true);
            }
        }
    }

    /// <summary>The round with the median authorized (or bare) p99: its throughput and percentiles belong together.</summary>
    private static WrkResult Median(List<WrkResult> runs) => runs.OrderBy(r => r.P99Ms).ElementAt(runs.Count / 2);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";
}

/// <param name="From">The log's size before the seed.</param>
internal sealed record SeedRun(TimeSpan Elapsed, long From);

/// <param name="Entries">The log's size when the API was started for the measurement (the scale, or more when earlier reads had already passed it).</param>
internal sealed record GrowthRow(string Provider, long Scale, long Entries, long Consents, long DatabaseBytes, SeedRun? Seed, WrkResult Bare,
    WrkResult Authorized, string LoadAverage)
{
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Provider} at {Scale:N0}: log {Entries:N0} entries, {DatabaseBytes / 1048576.0:N0} MiB; seed {(Seed is null ? "none" : $"{Seed.Elapsed.TotalSeconds:0} s")}; bare {Bare.RequestsPerSecond:0} req/s p50/p99 {Bare.P50Ms:0.00}/{Bare.P99Ms:0.00} ms; authorized {Authorized.RequestsPerSecond:0} req/s p50/p99 {Authorized.P50Ms:0.00}/{Authorized.P99Ms:0.00} ms; load average {LoadAverage}");
}

internal static class GrowthReport
{
    /// <summary>Target: the authorized read's p99 at each scale at most this many times its p99 at the first.</summary>
    private const double TargetRatio = 1.5;

    public static void Print(List<GrowthRow> rows, Options options)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"wrk -t{options.Threads} -c{options.Connections}, {options.Rounds} rounds of {options.Seconds:0.#} s (bare, then authorized) after {options.WarmUp:0.#} s of warm-up of each; the round with the median p99 shown; {Environment.ProcessorCount} cores"));
        foreach (var provider in rows.GroupBy(r => r.Provider))
        {
            var baseline = provider.First();
            Console.WriteLine();
            Console.WriteLine($"{provider.Key}:");
            Console.WriteLine();
            Console.WriteLine("| scale | log entries | consents | database | seed time | seed rate (entries/s) | bare req/s | bare p50 / p99 (ms) | authorized req/s | authorized p50 / p99 (ms) | authorized p99 / first scale | target (≤ 1.5×) | load average |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
            foreach (var r in provider)
            {
                var ratio = r.Authorized.P99Ms / baseline.Authorized.P99Ms;
                var seeded = r.Seed is null ? "—" : string.Create(c, $"{r.Seed.Elapsed.TotalMinutes:0.0} min");
                var rate = r.Seed is null ? "—" : string.Create(c, $"{(r.Entries - r.Seed.From) / r.Seed.Elapsed.TotalSeconds:N0}");
                Console.WriteLine(string.Create(c,
                    $"| {r.Scale:N0} | {r.Entries:N0} | {r.Consents:N0} | {Size(r.DatabaseBytes)} | {seeded} | {rate} | {r.Bare.RequestsPerSecond:N0} | {r.Bare.P50Ms:0.00} / {r.Bare.P99Ms:0.00} | {r.Authorized.RequestsPerSecond:N0} | {r.Authorized.P50Ms:0.00} / {r.Authorized.P99Ms:0.00} | {ratio:0.00}× | {(r == baseline ? "" : ratio <= TargetRatio ? "met" : "NOT met")} | {r.LoadAverage} |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("Seed rate: entries added per second of the seed's wall time (consents, tree and head included). Database: the SQLite file with its WAL, or pg_database_size.");
    }

    private static string Size(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0} MiB");
}
