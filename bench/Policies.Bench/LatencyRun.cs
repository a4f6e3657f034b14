using System.Diagnostics;
using System.Globalization;

namespace Consent.Policies.Bench;

/// <summary>
/// Per-call latency percentiles, which BenchmarkDotNet does not give (it averages many calls per
/// iteration): every call is timed on its own. Ratios are against the 1k store, measured in the same run.
/// </summary>
public static class LatencyRun
{
    public static void Run(int decisions, int fetches)
    {
        Console.WriteLine($"Per-call latency ({decisions:N0} decisions; {fetches:N0} fetches per store size; {Environment.ProcessorCount} cores; {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription})");
        Console.WriteLine();

        var survivor = Scenario.SurvivorId(1);
        var input = Scenario.Input(survivor, Scenario.Grants(survivor));
        Print("decision, 10 grants + 5 MOUs", Measure(decisions, _ => EmbeddedPolicyEvaluator.Decide(input)), null);
        Console.WriteLine();

        Console.WriteLine("A read as Consent.Api makes it: fetch one survivor's grants from SQLite (EF Core compiled query,");
        Console.WriteLine("index on survivor id), then decide over them; the two parts timed separately.");
        Percentiles? fetchBaseline = null;
        Percentiles? decideBaseline = null;
        foreach (var size in new[] { 1_000, 100_000, 1_000_000 })
        {
            var build = Stopwatch.StartNew();
            using var store = new SqliteConsentStore(size);
            var ready = build.Elapsed;
            var random = new Random(42);
            var fetchTicks = new long[fetches];
            var decideTicks = new long[fetches];
            long fetchAllocated = 0;
            long decideAllocated = 0;
            // A long warm-up for every size, so that the 1k baseline is not measured while the JIT is still tiering up.
            for (var i = -Math.Min(fetches, 20_000); i < fetches; i++)
            {
                var id = store.RandomSurvivor(random);
                var a0 = GC.GetAllocatedBytesForCurrentThread();
                var t0 = Stopwatch.GetTimestamp();
                var grants = store.GrantsOf(id);
                var t1 = Stopwatch.GetTimestamp();
                var a1 = GC.GetAllocatedBytesForCurrentThread();
                var facts = Scenario.Input(id, grants);
                var a2 = GC.GetAllocatedBytesForCurrentThread();
                var t2 = Stopwatch.GetTimestamp();
                EmbeddedPolicyEvaluator.Decide(facts);
                var t3 = Stopwatch.GetTimestamp();
                var a3 = GC.GetAllocatedBytesForCurrentThread();
                if (i >= 0)
                {
                    fetchTicks[i] = t1 - t0;
                    decideTicks[i] = t3 - t2;
                    fetchAllocated += a1 - a0;
                    decideAllocated += a3 - a2;
                }
            }

            var fetch = Summarise(fetchTicks, fetchAllocated);
            var decide = Summarise(decideTicks, decideAllocated);
            fetchBaseline ??= fetch;
            decideBaseline ??= decide;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  store of {size,9:N0} consents (file ready in {ready.TotalSeconds:F1} s)"));
            Print("    fetch", fetch, fetchBaseline);
            Print("    decide", decide, decideBaseline);
        }
    }

    private static Percentiles Measure(int count, Action<int> action)
    {
        for (var i = 0; i < Math.Min(count, 20_000); i++)
        {
            action(i);
        }

        GC.Collect();
        var ticks = new long[count];
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action(i);
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }

        return Summarise(ticks, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    private static Percentiles Summarise(long[] ticks, long allocated)
    {
        Array.Sort(ticks);
        double Micro(double q) => ticks[Math.Min(ticks.Length - 1, (int)(q * ticks.Length))] * 1_000_000.0 / Stopwatch.Frequency;
        return new Percentiles(Micro(0.50), Micro(0.90), Micro(0.99), Micro(0.999), allocated / (double)ticks.Length);
    }

    private static void Print(string what, Percentiles p, Percentiles? baseline)
    {
        var ratio = baseline is null ? "" : string.Create(CultureInfo.InvariantCulture, $"  vs 1k: p50 {p.P50 / baseline.P50:F2}x, p99 {p.P99 / baseline.P99:F2}x");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {what,-30} p50 {p.P50,7:F2} us  p90 {p.P90,7:F2} us  p99 {p.P99,7:F2} us  p99.9 {p.P999,7:F2} us  alloc {p.AllocatedBytes,6:F0} B/call{ratio}"));
    }

    private sealed record Percentiles(double P50, double P90, double P99, double P999, double AllocatedBytes);
}
