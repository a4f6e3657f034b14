using System.Globalization;
using System.Net;
using System.Text;
using Consent.TestSupport;

namespace Consent.FhirRead.Bench;

/// <summary>
/// The load suite (<c>run.sh --suite load</c>): the platform's busiest calls under HTTP load on localhost, beside the bare
/// read of the same run, on SQLite with one API instance and on PostgreSQL with one and with two instances sharing one
/// database. For each call: throughput, p50/p99, and the CPU time per request of the API instances, of the database
/// server (PostgreSQL's processes; SQLite runs inside the API) and of the load tool. Optionally a memory soak: the
/// authorized read for several minutes with the API's resident memory sampled.
/// </summary>
internal static class LoadSuite
{
    private const string Recipient = "bridge-legal";

    private static int grantScripts;

    public static async Task<int> RunAsync(Options options, CancellationToken cancel)
    {
        var deployments = options.Sqlite ? new List<Deployment> { new("SQLite, 1 API", null, 1) } : [];
        PostgresServer? postgres = null;
        if (options.Postgres)
        {
            postgres = await PostgresServer.StartDurableAsync();
            deployments.Add(new("PostgreSQL, 1 API", postgres, 1));
            deployments.Add(new("PostgreSQL, 2 APIs", postgres, 2));
        }

        var rows = new List<LoadRow>();
        var soak = new List<(double Seconds, double Rss)>();
        foreach (var deployment in deployments)
        {
            if (cancel.IsCancellationRequested)
            {
                break;
            }

            await using var stack = await Stack.StartAsync(deployment, options);
            rows.AddRange(await stack.MeasureAsync(options, measureTokens: deployment == deployments[0], cancel));
            if (deployment == deployments[0] && options.Soak > 0)
            {
                soak = await stack.SoakAsync(options, cancel);
            }
        }

        LoadReport.Print(rows, soak, options);
        return rows.Any(r => r.Result.Non2xx > 0) ? 1 : 0;
    }

    /// <summary>Where the API keeps its store, and how many API instances share it.</summary>
    internal sealed record Deployment(string Name, PostgresServer? Postgres, int Instances);

    /// <summary>Identity and the API instances of one deployment, seeded, with the tokens of the callers.</summary>
    private sealed class Stack : IAsyncDisposable
    {
        private readonly PlatformProcesses platform;
        private DemoScenario scenario = null!;
        private string patient = "", observation = "";
        private string? database;

        private Stack(Deployment deployment, PlatformProcesses platform)
        {
            Deployment = deployment;
            this.platform = platform;
        }

        public Deployment Deployment { get; }

        private string Data => platform.DataDirectory;

        private AppProcess Identity => platform.Identity!;

        private IEnumerable<AppProcess> Apis => platform.Apis;

        public static async Task<Stack> StartAsync(Deployment deployment, Options options)
        {
            var stack = new Stack(deployment, new PlatformProcesses(options.Root, "Release",
                Path.Combine(Path.GetTempPath(), "load-bench", Guid.NewGuid().ToString("n"))));
            await stack.platform.StartIdentityAsync(new Dictionary<string, string> { ["RateLimits__TokenPerMinute"] = "100000" });
            var api = new Dictionary<string, string>
            {
                // The load comes from a few callers: limits far above what they send, so that no answer is a 429.
                ["RateLimits__ClientPerMinute"] = "1000000000",
                ["RateLimits__UserPerMinute"] = "1000000000",
                ["Bench__BareRead"] = "true",
            };
            if (deployment.Postgres is { } server)
            {
                stack.database = await server.CreateDatabaseAsync();
                api["Storage__Provider"] = "Postgres";
                api["ConnectionStrings__Consent"] = stack.database;
                // Every instance signs tree heads with the deployment's one key.
                using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
                api["DisclosureTree__SigningKeyPem"] = key.ExportPkcs8PrivateKeyPem();
            }

            // One after the other: the first creates the schema and the demo data, the others find them.
            for (var i = 0; i < deployment.Instances; i++)
            {
                await stack.platform.StartApiAsync(api);
            }

            stack.scenario = new DemoScenario(stack.platform.IdentityUrl, stack.Apis.First().Url, stack.Data);
            (stack.patient, stack.observation) = await stack.scenario.SeedAsync();
            return stack;
        }

        /// <summary>Each call: checked once, warmed up, then measured; the token endpoint too when asked.</summary>
        public async Task<List<LoadRow>> MeasureAsync(Options options, bool measureTokens, CancellationToken cancel)
        {
            var clinic = await scenario.AgencyTokenAsync(DemoScenario.Clinic, "system/*.rs");
            var survivor = await scenario.SurvivorTokenAsync();
            var compliance = await scenario.ComplianceTokenAsync();
            string[] fhir = ["Authorization: Bearer " + clinic, "X-Purpose-Of-Use: " + DemoScenario.Purpose, "Accept: application/fhir+json"];
            var calls = new List<Call>
            {
                new("bare read (baseline)", $"bench/bare/Observation/{observation}", fhir, null),
                new("FHIR read by id", $"fhir/Observation/{observation}", fhir, null),
                new("$everything", $"fhir/Patient/{patient}/$everything", fhir, null),
                new("disclosure search (compliance, 50 per page)", "api/disclosures?agency=northside-clinic&limit=50", ["Authorization: Bearer " + compliance], null),
                new("consent grant", $"api/survivors/{DemoScenario.Survivor}/consents", ["Authorization: Bearer " + survivor],
                    GrantScript),
            };

            // Every call checked and warmed up before any is measured: the code they share (token validation, the
            // middleware) is then equally warm for the first call measured as for the last. The load is split between
            // the instances, so each instance is warmed up as long as a lone one would be, or the runtime is still
            // compiling (tiered JIT) in the phases measured: 12 % of two instances' CPU in the first phase measured
            // when they shared the lone instance's warm-up.
            var warmUp = options.WarmUp * Deployment.Instances;
            foreach (var call in calls)
            {
                await CheckAsync(call);
                await RunAsync(call, options, warmUp);
            }

            if (database is not null)
            {
                // The tables are minutes old and grew from nothing during the warm-up; a deployment's are analyzed by
                // autovacuum within a minute of growing. Without statistics PostgreSQL plans the search as a read of
                // every one of the agency's entries and a sort (measured: 71 searches/s at 26 ms of database CPU each).
                await using var connection = new Npgsql.NpgsqlConnection(database);
                await connection.OpenAsync(cancel);
                await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE", connection);
                await analyze.ExecuteNonQueryAsync(cancel);
            }

            var rows = new List<LoadRow>();
            foreach (var call in calls.TakeWhile(_ => !cancel.IsCancellationRequested))
            {
                await RunAsync(call, options, warmUp / 2);
                rows.Add(await MeasureAsync(call, options));
            }

            if (measureTokens && !cancel.IsCancellationRequested)
            {
                rows.Add(await MeasureTokensAsync(options));
            }

            return rows;
        }

        /// <summary>The authorized read for <see cref="Options.Soak"/> seconds, a fresh token each minute, resident memory every 10 s.</summary>
        public async Task<List<(double Seconds, double Rss)>> SoakAsync(Options options, CancellationToken cancel)
        {
            var api = Apis.First();
            var samples = new List<(double, double)>();
            var started = DateTime.UtcNow;
            using var done = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!done.IsCancellationRequested)
                {
                    samples.Add(((DateTime.UtcNow - started).TotalSeconds, api.Memory().Rss));
                    await Task.Delay(TimeSpan.FromSeconds(10), done.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });
            for (var left = options.Soak; left > 0 && !cancel.IsCancellationRequested; left -= 60)
            {
                var token = await scenario.AgencyTokenAsync(DemoScenario.Clinic, "system/*.rs");
                var result = await Wrk.RunAsync(new Uri(api.Url, $"fhir/Observation/{observation}"), token, options.Threads, options.Connections, Math.Min(60, left));
                if (result.Non2xx > 0)
                {
                    throw new InvalidOperationException($"The soak had {result.Non2xx} answers that were not 2xx.");
                }
            }

            await done.CancelAsync();
            await sampler;
            return samples;
        }

        private async Task CheckAsync(Call call)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(call.Script is null ? HttpMethod.Get : HttpMethod.Post, new Uri(Apis.First().Url, call.Path));
            foreach (var header in call.Headers)
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
            }

            if (call.Script is not null)
            {
                request.Content = new StringContent(GrantBody(DateTimeOffset.UtcNow.AddYears(2)), Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{Deployment.Name}, {call.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        private async Task<LoadRow> MeasureAsync(Call call, Options options)
        {
            var before = Cpu();
            var result = await RunAsync(call, options, options.Seconds);
            return new LoadRow(Deployment.Name, call.Name, result, Cpu() - before);
        }

        /// <summary>One wrk per API instance, the connections shared between them, run together; their results summed.</summary>
        private async Task<WrkResult> RunAsync(Call call, Options options, double seconds)
        {
            var instances = Apis.ToList();
            var connections = Math.Max(1, options.Connections / instances.Count);
            var runs = instances.Select(api => Wrk.RunAsync(new Uri(api.Url, call.Path), call.Headers,
                call.Script is null ? null : WriteScript(call.Script()), options.Threads, connections, seconds));
            return WrkResult.Combine(await Task.WhenAll(runs));
        }

        /// <summary>
        /// The token endpoint: client_credentials with private_key_jwt, as Northside Clinic's system. Every assertion is
        /// single-use (its jti), so the bodies are made beforehand, one per request, and the script sends each once.
        /// </summary>
        private async Task<LoadRow> MeasureTokensAsync(Options options)
        {
            var client = scenario.AgencyClient(DemoScenario.Clinic);
            var audience = new Uri(Identity.Url, "connect/token").ToString();
            var key = ClientAssertions.PrivateKey(client);
            string Bodies(int count)
            {
                var file = Path.Combine(Data, $"token-bodies-{Guid.NewGuid():n}.txt");
                File.WriteAllLines(file, Enumerable.Range(0, count).Select(_ =>
                    "grant_type=client_credentials&scope=system%2F%2A.rs&client_id=" + Uri.EscapeDataString(client.ClientId) +
                    "&client_assertion_type=" + Uri.EscapeDataString(TokenRequests.AssertionType) +
                    "&client_assertion=" + ClientAssertions.Sign(ClientAssertions.Claims(client, audience), key, client.Algorithm)));
                return WriteScript(
                    $"local bodies = {{}}\nfor line in io.lines(\"{file}\") do bodies[#bodies + 1] = line end\nlocal i = 0\n" +
                    "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n" +
                    "request = function()\n  i = i + 1\n  return wrk.format(\"POST\", nil, nil, bodies[((i - 1) % #bodies) + 1])\nend\n");
            }

            var url = new Uri(Identity.Url, "connect/token");
            await Wrk.RunAsync(url, [], Bodies(options.TokenBodies / 4), options.Threads, options.Connections, options.WarmUp);
            var script = Bodies(options.TokenBodies);
            var before = Cpu();
            var result = await Wrk.RunAsync(url, [], script, options.Threads, options.Connections, options.Seconds);
            var cpu = Cpu() - before;
            // The token endpoint is Identity's: its CPU stands in the API column for this row.
            return new LoadRow("Identity (SQLite)", "token (client_credentials, private_key_jwt)", result, cpu with { Api = cpu.Identity });
        }

        private Cpu Cpu() => new(
            Apis.Aggregate(TimeSpan.Zero, (sum, api) => sum + api.CpuTime()),
            Deployment.Postgres?.ProcessId is { } server ? ProcessTree.CpuTime(server) : TimeSpan.Zero,
            ProcessTree.WaitedChildrenCpuTime(),
            Identity.CpuTime());

        /// <summary>
        /// Grants that never overlap (an hour every two, far ahead, 500 days apart for each script made), so none is refused
        /// as a duplicate of another.
        /// </summary>
        private static string GrantScript()
        {
            var start = DateTimeOffset.UtcNow.AddDays(1 + 500 * Interlocked.Increment(ref grantScripts)).ToUnixTimeSeconds();
            var body = GrantBody(null).Replace("\"", "\\\"", StringComparison.Ordinal);
            // wrk.format's headers replace the command line's (the token): the content type joins those instead.
            return $"wrk.headers[\"Content-Type\"] = \"application/json\"\nlocal i = 0\nrequest = function()\n  i = i + 1\n  local s = {start} + i * 7200\n" +
                   $"  local body = string.format(\"{body}\", os.date(\"!%Y-%m-%dT%H:%M:%SZ\", s), os.date(\"!%Y-%m-%dT%H:%M:%SZ\", s + 3600))\n" +
                   "  return wrk.format(\"POST\", nil, nil, body)\nend\n";
        }

        /// <summary>The grant's JSON; with <paramref name="start"/> null, <c>%s</c> placeholders for the script's start and end.</summary>
        private static string GrantBody(DateTimeOffset? start) =>
            $"{{\"recipientAgencyId\":\"{Recipient}\",\"sourceAgencyIds\":[\"{DemoScenario.Shelter}\"],\"categories\":[\"contact\"],\"purposes\":[\"legal-advocacy\"]," +
            $"\"start\":\"{(start is { } s ? s.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "%s")}\"," +
            $"\"end\":\"{(start is { } e ? e.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "%s")}\"," +
            "\"consentTextId\":\"general-sharing\",\"consentTextVersion\":\"3\",\"language\":\"en\"}";

        private string WriteScript(string text)
        {
            var file = Path.Combine(Data, $"script-{Guid.NewGuid():n}.lua");
            File.WriteAllText(file, text);
            return file;
        }

        public async ValueTask DisposeAsync()
        {
            platform.Dispose();
            if (Deployment.Postgres is { } server && database is not null)
            {
                await server.DropDatabaseAsync(database);
            }

            Directory.Delete(Data, recursive: true);
        }
    }

    /// <summary>One call under load: its path on the API, its headers, and a script (a new one for each wrk) when it is not a plain GET.</summary>
    private sealed record Call(string Name, string Path, string[] Headers, Func<string>? Script);
}

/// <summary>CPU time spent during a phase: the API instances, the database server, the load tool, Identity.</summary>
internal sealed record Cpu(TimeSpan Api, TimeSpan Database, TimeSpan LoadTool, TimeSpan Identity)
{
    public static Cpu operator -(Cpu after, Cpu before) =>
        new(after.Api - before.Api, after.Database - before.Database, after.LoadTool - before.LoadTool, after.Identity - before.Identity);
}

internal sealed record LoadRow(string Deployment, string Call, WrkResult Result, Cpu Cpu)
{
    public double PerRequestMs(TimeSpan time) => time.TotalMilliseconds / Math.Max(1, Result.Requests);
}

/// <summary>CPU time of processes from /proc, in clock ticks of 10 ms.</summary>
internal static class ProcessTree
{
    /// <summary>The process and its children (PostgreSQL's server and its backends).</summary>
    public static TimeSpan CpuTime(int root)
    {
        var ticks = 0L;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                var fields = Fields(File.ReadAllText(Path.Combine(folder, "stat")));
                // After the command name: state (0), ppid (1), ..., utime (11), stime (12).
                if (pid == root || int.Parse(fields[1], CultureInfo.InvariantCulture) == root)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>CPU time of this process's children that have ended and been waited for (the wrk runs): cutime and cstime.</summary>
    public static TimeSpan WaitedChildrenCpuTime()
    {
        var fields = Fields(File.ReadAllText("/proc/self/stat"));
        return TimeSpan.FromMilliseconds((long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) * 10);
    }

    private static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
}

internal static class LoadReport
{
    public static void Print(List<LoadRow> rows, List<(double Seconds, double Rss)> soak, Options options)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(c,
            $"wrk -t{options.Threads} -c{options.Connections} (split between the instances), {options.Seconds:0.#} s per call after {options.WarmUp:0.#} s of warm-up per instance; {Environment.ProcessorCount} cores shared by everything"));
        Console.WriteLine();
        Console.WriteLine("| deployment | call | req/s | p50 / p99 (ms) | API CPU ms/req | database CPU ms/req | load tool CPU ms/req | not 2xx |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(c,
                $"| {r.Deployment} | {r.Call} | {r.Result.RequestsPerSecond:N0} | {r.Result.P50Ms:0.00} / {r.Result.P99Ms:0.00} | {r.PerRequestMs(r.Cpu.Api):0.000} | {(r.Deployment.StartsWith("PostgreSQL", StringComparison.Ordinal) ? r.PerRequestMs(r.Cpu.Database).ToString("0.000", c) : "in the API")} | {r.PerRequestMs(r.Cpu.LoadTool):0.000} | {r.Result.Non2xx:N0} |"));
        }

        LoadRow? Read(string deployment) => rows.FirstOrDefault(r => r.Deployment == deployment && r.Call == "FHIR read by id");
        if (Read("SQLite, 1 API") is { } sqlite && Read("PostgreSQL, 1 API") is { } one && Read("PostgreSQL, 2 APIs") is { } two)
        {
            var cpu = one.PerRequestMs(one.Cpu.Api) / sqlite.PerRequestMs(sqlite.Cpu.Api);
            var scale = two.Result.RequestsPerSecond / one.Result.RequestsPerSecond;
            Console.WriteLine();
            Console.WriteLine(string.Create(c, $"API CPU per authorized read, PostgreSQL / SQLite: {cpu:0.00}x (target at most 1.5x): {(cpu <= 1.5 ? "met" : "NOT met")}."));
            Console.WriteLine(string.Create(c, $"Authorized reads, 2 API instances / 1 on PostgreSQL: {scale:P1} (target at least 90 %): {(scale >= 0.9 ? "met" : "NOT met")}."));
        }

        if (soak.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Memory soak, authorized read on SQLite: API resident memory (MiB) every 10 s:");
            Console.WriteLine(string.Join(", ", soak.Select(s => string.Create(c, $"{s.Seconds:0} s {s.Rss:0}"))));
            var first = soak.Where(s => s.Seconds <= 60).Average(s => s.Rss);
            var last = soak.Where(s => s.Seconds >= soak[^1].Seconds - 60).Average(s => s.Rss);
            var peak = soak.Max(s => s.Rss);
            Console.WriteLine(string.Create(c,
                $"Peak {peak:0} MiB (target under 400): {(peak < 400 ? "met" : "NOT met")}; mean of the last minute / the first: {last / first:P1} (does not grow: at most 110 %): {(last / first <= 1.1 ? "met" : "NOT met")}."));
        }
    }
}
