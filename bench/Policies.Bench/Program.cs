using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Consent.Policies.Bench;

// dotnet run -c Release --project bench/Policies.Bench -- latency        per-call p50/p99, store sizes, SQLite fetch
// dotnet run -c Release --project bench/Policies.Bench -- --filter '*'   BenchmarkDotNet (short runs, allocations, ratios)
if (args.Length > 0 && args[0] == "latency")
{
    var decisions = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
    var fetches = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
    LatencyRun.Run(decisions, fetches);
    return;
}

// Short runs in process: the machine is small and shared, and the 1M-row setups are built once per run.
var config = ManualConfig.CreateEmpty()
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short"))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumnProvider(DefaultColumnProviders.Instance)
    .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
    .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
    .AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub)
    .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "consent-policies-bench", "results"));

BenchmarkSwitcher.FromAssembly(typeof(Scenario).Assembly).Run(args, config);
