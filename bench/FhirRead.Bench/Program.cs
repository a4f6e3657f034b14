using System.Globalization;
using System.Net;
using Consent.FhirRead.Bench;
using Consent.TestSupport;
using Microsoft.Data.Sqlite;

// bench/FhirRead.Bench/run.sh [--rounds 3] [--seconds 10] [--warmup 10] [--connections 32] [--threads 1] [--keep true]
//
// The authorized FHIR read by id (token validation, the survivor's facts, the policy decision, a durable disclosure-log
// entry, the answer) against the bare read of the same record with the same token (GET /bench/bare/...), over HTTP on
// localhost with wrk, in alternating rounds of the same run.
var options = Options.Parse(args);
if (options.Suite == "load")
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return await LoadSuite.RunAsync(options, stop.Token);
}

if (options.Suite == "growth")
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return await GrowthSuite.RunAsync(options, stop.Token);
}

var data = Path.Combine(Path.GetTempPath(), "fhirread-bench", Guid.NewGuid().ToString("n"));
using var platform = new PlatformProcesses(options.Root, "Release", data);
var logs = platform.Logs;
Console.WriteLine($"Apps from {options.Root}, data in {data}");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let the using blocks stop both apps.
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    await platform.StartIdentityAsync();
    var api = await platform.StartApiAsync(new Dictionary<string, string>
    {
        // The load comes from one client: far above what it sends, so that no answer is a 429.
        ["RateLimits__ClientPerMinute"] = "1000000000",
        ["Bench__BareRead"] = "true",
    });
    var apiUrl = api.Url;
    var scenario = new DemoScenario(platform.IdentityUrl, apiUrl, data);
    var observation = await scenario.SeedObservationAsync();
    var authorizedPath = $"fhir/Observation/{observation}";
    var barePath = $"bench/bare/Observation/{observation}";
    var uncheckedPath = $"bench/bare-unchecked/Observation/{observation}";
    var token = await scenario.AgencyTokenAsync(DemoScenario.Clinic, "system/*.rs");

    // Both answer 200 with the same resource, or the comparison means nothing.
    var authorized = await scenario.GetAsync(authorizedPath, token);
    var bare = await scenario.GetAsync(barePath, token);
    var uncheckedBare = await scenario.GetAsync(uncheckedPath, token);
    if (authorized.Status != HttpStatusCode.OK || bare.Status != HttpStatusCode.OK || authorized.Body != bare.Body || uncheckedBare.Body != bare.Body)
    {
        throw new InvalidOperationException(
            $"The clinic's reads do not both return the Observation: authorized {(int)authorized.Status} {authorized.Body}; bare {(int)bare.Status} {bare.Body}");
    }

    var log = new DisclosureLogCount(Path.Combine(data, "consent.db"));
    var idle = api.Memory();
    Console.WriteLine($"Observation/{observation}: authorized and bare reads both 200 with the same {authorized.Body.Length}-byte body.");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"wrk -t{options.Threads} -c{options.Connections}, {options.Rounds} rounds of {options.Seconds:0.#} s each (bare, then authorized) after {options.WarmUp:0.#} s warm-up of each; {Environment.ProcessorCount} cores; API RSS before load {idle.Rss:0} MiB"));

    var authorizedUrl = new Uri(apiUrl, authorizedPath);
    var bareUrl = new Uri(apiUrl, barePath);
    var uncheckedUrl = new Uri(apiUrl, uncheckedPath);
    await Wrk.RunAsync(uncheckedUrl, token, options.Threads, options.Connections, options.WarmUp);
    await Wrk.RunAsync(bareUrl, token, options.Threads, options.Connections, options.WarmUp);
    await Wrk.RunAsync(authorizedUrl, token, options.Threads, options.Connections, options.WarmUp);

    var rounds = new List<Round>();
    for (var i = 1; i <= options.Rounds && !cancel.IsCancellationRequested; i++)
    {
        // A fresh token per round (tokens live 5 minutes), the same one for both phases of the round.
        token = await scenario.AgencyTokenAsync(DemoScenario.Clinic, "system/*.rs");
        var uncheckedRun = await Wrk.RunAsync(uncheckedUrl, token, options.Threads, options.Connections, options.Seconds);
        var cpu = api.CpuTime();
        var bareRun = await Wrk.RunAsync(bareUrl, token, options.Threads, options.Connections, options.Seconds);
        var bareMemory = api.Memory();
        var bareCpu = api.CpuTime() - cpu;
        var before = log.Count(DemoScenario.Clinic);
        cpu = api.CpuTime();
        var authorizedRun = await Wrk.RunAsync(authorizedUrl, token, options.Threads, options.Connections, options.Seconds);
        var authorizedMemory = api.Memory();
        var authorizedCpu = api.CpuTime() - cpu;
        await Task.Delay(500); // requests still in flight when wrk stopped finish and are logged
        var entries = log.Count(DemoScenario.Clinic) - before;
        var round = new Round(i, uncheckedRun, bareRun, bareMemory, bareCpu, authorizedRun, authorizedMemory, authorizedCpu, entries);
        rounds.Add(round);
        Console.WriteLine(round.Summary());
        if (uncheckedRun.Non2xx + bareRun.Non2xx + authorizedRun.Non2xx > 0)
        {
            throw new InvalidOperationException($"Round {i}: {bareRun.Non2xx} bare and {authorizedRun.Non2xx} authorized answers were not 2xx; see {logs}");
        }
    }

    Report.Print(rounds);
    platform.Dispose();
    if (options.Keep)
    {
        Console.WriteLine($"Data and app logs kept in {data}");
    }
    else
    {
        Directory.Delete(data, recursive: true);
    }

    return 0;
}
catch (Exception e) when (e is InvalidOperationException or HttpRequestException or FormatException)
{
    Console.Error.WriteLine("FAILED: " + e.Message);
    Console.Error.WriteLine($"App logs: {logs}");
    return 1;
}

/// <summary>One round: the bare phase, then the authorized phase, with the API's memory after each.</summary>
internal sealed record Round(int Number, WrkResult Unchecked, WrkResult Bare, (double Rss, double Peak) BareMemory, TimeSpan BareCpu, WrkResult Authorized,
    (double Rss, double Peak) AuthorizedMemory, TimeSpan AuthorizedCpu, long LogEntries)
{
    public double Ratio => Authorized.RequestsPerSecond / Bare.RequestsPerSecond;

    /// <summary>Bare with the live-caller check (revocation, active agency) over bare without it: what the check costs.</summary>
    public double CheckRatio => Bare.RequestsPerSecond / Unchecked.RequestsPerSecond;

    /// <summary>The API's CPU time per completed request in the phase, in ms: says whether the phase was CPU-bound.</summary>
    public double BareCpuMs => BareCpu.TotalMilliseconds / Math.Max(1, Bare.Requests);

    public double AuthorizedCpuMs => AuthorizedCpu.TotalMilliseconds / Math.Max(1, Authorized.Requests);

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"round {Number}: bare unchecked {Unchecked.RequestsPerSecond:0} req/s, bare {Bare.RequestsPerSecond:0} req/s (checked/unchecked {CheckRatio:P1}), authorized {Authorized.RequestsPerSecond:0} req/s, ratio {Ratio:P1}; API CPU {BareCpu.TotalSeconds:0.0} s / {AuthorizedCpu.TotalSeconds:0.0} s; log entries {LogEntries} for {Authorized.Requests} completed requests");
}

internal static class Report
{
    public static void Print(List<Round> rounds)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("| round | bare req/s | authorized req/s | authorized/bare | bare p50 / p99 (ms) | authorized p50 / p99 (ms) | API RSS after bare / authorized (MiB) | API peak RSS (MiB) | API CPU ms per request, bare / authorized | log entries / authorized requests |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rounds)
        {
            Console.WriteLine(string.Create(c,
                $"| {r.Number} | {r.Bare.RequestsPerSecond:N0} | {r.Authorized.RequestsPerSecond:N0} | {r.Ratio:P1} | {r.Bare.P50Ms:0.00} / {r.Bare.P99Ms:0.00} | {r.Authorized.P50Ms:0.00} / {r.Authorized.P99Ms:0.00} | {r.BareMemory.Rss:0} / {r.AuthorizedMemory.Rss:0} | {r.AuthorizedMemory.Peak:0} | {r.BareCpuMs:0.00} / {r.AuthorizedCpuMs:0.00} | {r.LogEntries:N0} / {r.Authorized.Requests:N0} |"));
        }

        if (rounds.Count == 0)
        {
            return;
        }

        Console.WriteLine(string.Create(c,
            $"| median | {Median(rounds, r => r.Bare.RequestsPerSecond):N0} | {Median(rounds, r => r.Authorized.RequestsPerSecond):N0} | {Median(rounds, r => r.Ratio):P1} | {Median(rounds, r => r.Bare.P50Ms):0.00} / {Median(rounds, r => r.Bare.P99Ms):0.00} | {Median(rounds, r => r.Authorized.P50Ms):0.00} / {Median(rounds, r => r.Authorized.P99Ms):0.00} | {Median(rounds, r => r.BareMemory.Rss):0} / {Median(rounds, r => r.AuthorizedMemory.Rss):0} | {rounds.Max(r => r.AuthorizedMemory.Peak):0} (max) | {Median(rounds, r => r.BareCpuMs):0.00} / {Median(rounds, r => r.AuthorizedCpuMs):0.00} | |"));
        var ratio = Median(rounds, r => r.Ratio);
        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"Live-caller check (token still active at the provider, cached; agency active): bare with it / bare without it, median {Median(rounds, r => r.CheckRatio):P1} (rounds {string.Join(", ", rounds.Select(r => r.CheckRatio.ToString("P1", c)))}); bare without it {Median(rounds, r => r.Unchecked.RequestsPerSecond):N0} req/s, p50 / p99 {Median(rounds, r => r.Unchecked.P50Ms):0.00} / {Median(rounds, r => r.Unchecked.P99Ms):0.00} ms."));
        Console.WriteLine(string.Create(c, $"Median authorized/bare throughput: {ratio:P1} (target at least 60 %): {(ratio >= 0.6 ? "met" : "NOT met")}."));
        Console.WriteLine("Log entries are counted in the API's SQLite file after each authorized phase; they include requests wrk had in flight when it stopped (at most one per connection).");
    }

    private static double Median(List<Round> rounds, Func<Round, double> value)
    {
        var sorted = rounds.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>Disclosure-log entries naming a recipient, read from the API's database (read-only; the API keeps writing).</summary>
internal sealed class DisclosureLogCount(string file)
{
    public long Count(string recipientAgencyId)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM DisclosureLog WHERE RecipientAgencyId = $recipient";
        command.Parameters.AddWithValue("$recipient", recipientAgencyId);
        return (long)command.ExecuteScalar()!;
    }
}

/// <param name="Suite"><c>ratio</c> (authorized against bare, the default) or <c>load</c> (<see cref="LoadSuite"/>).</param>
/// <param name="Postgres">The load suite on PostgreSQL too (one and two API instances).</param>
/// <param name="Soak">The load suite's memory soak, in seconds (0: none).</param>
/// <param name="TokenBodies">Client assertions made for the token endpoint's measured phase (each is sent once).</param>
/// <param name="Sqlite">The load suite on SQLite (the default); false to run only the PostgreSQL deployments.</param>
/// <param name="Scales">The growth suite's log sizes, in order (<c>--scales 10000,1000000,10000000</c>).</param>
/// <param name="Providers">The growth suite's databases (<c>--providers sqlite,postgres</c>).</param>
/// <param name="MaxConsents">The growth suite seeds as many consent grants as entries, up to this many.</param>
internal sealed record Options(string Root, int Rounds, double Seconds, double WarmUp, int Connections, int Threads, bool Keep,
    string Suite = "ratio", bool Postgres = false, int Soak = 0, int TokenBodies = 20000, bool Sqlite = true,
    IReadOnlyList<long>? GrowthScales = null, IReadOnlyList<string>? GrowthProviders = null, long MaxConsents = 1_000_000)
{
    public IReadOnlyList<long> Scales => GrowthScales ?? [10_000, 1_000_000, 10_000_000];

    public IReadOnlyList<string> Providers => GrowthProviders ?? ["sqlite", "postgres"];

    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);
        var c = CultureInfo.InvariantCulture;
        var root = values.TryGetValue("root", out var given) ? given : FindRoot();
        return new Options(Path.GetFullPath(root), int.Parse(Get("rounds", "3"), c), double.Parse(Get("seconds", "10"), c),
            double.Parse(Get("warmup", "10"), c), int.Parse(Get("connections", "32"), c), int.Parse(Get("threads", "1"), c),
            bool.Parse(Get("keep", "false")), Get("suite", "ratio"), bool.Parse(Get("postgres", "false")), int.Parse(Get("soak", "0"), c),
            int.Parse(Get("token-bodies", "20000"), c), bool.Parse(Get("sqlite", "true")),
            [.. Get("scales", "10000,1000000,10000000").Split(',').Select(v => long.Parse(v, c))],
            [.. Get("providers", "sqlite,postgres").Split(',').Select(p => p.Trim().ToLowerInvariant())],
            long.Parse(Get("max-consents", "1000000"), c));
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Consent.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (Consent.sln); pass --root.");
    }
}
