using BenchmarkDotNet.Attributes;

namespace Consent.Policies.Bench;

/// <summary>One decision over one survivor's facts: 10 grants, 5 MOUs.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private PolicyInput permit = null!;
    private PolicyInput labelled = null!;
    private PolicyInput denyListed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var survivor = Scenario.SurvivorId(1);
        permit = Scenario.Input(survivor, Scenario.Grants(survivor));
        labelled = Scenario.Input(survivor, Scenario.Grants(survivor), labels: ["PSY"]);
        denyListed = permit with { Facts = permit.Facts with { DenyList = [new DenyListEntry { AgencyId = Scenario.Clinic }] } };
        if (!EmbeddedPolicyEvaluator.Decide(permit).IsPermit || EmbeddedPolicyEvaluator.Decide(labelled).IsPermit)
        {
            throw new InvalidOperationException("The benchmark scenario does not decide as intended.");
        }
    }

    [Benchmark(Baseline = true, Description = "permit, 10 grants + 5 MOUs")]
    public PolicyDecision Permit() => EmbeddedPolicyEvaluator.Decide(permit);

    [Benchmark(Description = "deny, label not covered")]
    public PolicyDecision DenyLabel() => EmbeddedPolicyEvaluator.Decide(labelled);

    [Benchmark(Description = "deny, deny list")]
    public PolicyDecision DenyList() => EmbeddedPolicyEvaluator.Decide(denyListed);
}

/// <summary>
/// The same decision when the store holds 1k, 100k or 1M consents. Consent.Api fetches the survivor's
/// own grants (an indexed query, measured below) and passes only those in, so the decision over them
/// should cost the same whatever the store holds. Each case decides over 256 survivors' fetched facts.
/// </summary>
[MemoryDiagnoser]
public class StoreSizeBenchmarks
{
    private PolicyInput[] inputs = null!;
    private int next;

    [GlobalSetup(Target = nameof(Store1k))]
    public void Setup1k() => Setup(1_000);

    [GlobalSetup(Target = nameof(Store100k))]
    public void Setup100k() => Setup(100_000);

    [GlobalSetup(Target = nameof(Store1M))]
    public void Setup1M() => Setup(1_000_000);

    [Benchmark(Baseline = true, Description = "decide, store of 1k consents")]
    public PolicyDecision Store1k() => Decide();

    [Benchmark(Description = "decide, store of 100k consents")]
    public PolicyDecision Store100k() => Decide();

    [Benchmark(Description = "decide, store of 1M consents")]
    public PolicyDecision Store1M() => Decide();

    private PolicyDecision Decide() => EmbeddedPolicyEvaluator.Decide(inputs[next++ & 255]);

    private void Setup(int consents)
    {
        using var store = new SqliteConsentStore(consents);
        inputs = store.InputsForRandomSurvivors(256);
    }
}

/// <summary>The fetch itself: one survivor's grants from SQLite by the survivor-id index (EF Core, compiled query).</summary>
[MemoryDiagnoser]
public class FactFetchBenchmarks
{
    private const int WalkLength = 1024;
    private SqliteConsentStore store = null!;
    private string[] walk = null!;
    private int next;

    [GlobalSetup(Target = nameof(Fetch1k))]
    public void Setup1k() => Setup(1_000);

    [GlobalSetup(Target = nameof(Fetch100k))]
    public void Setup100k() => Setup(100_000);

    [GlobalSetup(Target = nameof(Fetch1M))]
    public void Setup1M() => Setup(1_000_000);

    [GlobalSetup(Target = nameof(FetchAndDecide1M))]
    public void SetupDecide1M() => Setup(1_000_000);

    [GlobalCleanup]
    public void Cleanup() => store.Dispose();

    [Benchmark(Baseline = true, Description = "fetch grants, 1k rows")]
    public int Fetch1k() => Fetch().Count;

    [Benchmark(Description = "fetch grants, 100k rows")]
    public int Fetch100k() => Fetch().Count;

    [Benchmark(Description = "fetch grants, 1M rows")]
    public int Fetch1M() => Fetch().Count;

    [Benchmark(Description = "fetch + decide, 1M rows")]
    public PolicyDecision FetchAndDecide1M()
    {
        var survivor = walk[next & (WalkLength - 1)];
        return EmbeddedPolicyEvaluator.Decide(Scenario.Input(survivor, Fetch()));
    }

    private List<ConsentGrant> Fetch() => store.GrantsOf(walk[next++ & (WalkLength - 1)]);

    private void Setup(int rows)
    {
        store = new SqliteConsentStore(rows);
        var random = new Random(42);
        walk = new string[WalkLength];
        for (var i = 0; i < WalkLength; i++)
        {
            walk[i] = Scenario.SurvivorId(random.Next(rows / 10));
        }
    }
}
