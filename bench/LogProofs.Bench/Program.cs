using System.Diagnostics;
using System.Globalization;
using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Consent.Api.Storage;
using Consent.Log.Merkle;
using Consent.Log.TreeHeads;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

// dotnet run -c Release --project bench/LogProofs.Bench -- [entries] [samples per operation and round] [rounds] [folder to keep]
//
// With a folder to keep, the database is left there and a later run with the same folder and size reuses it
// (the synthetic log, tree and heads), measuring only the proofs.
//
// Inclusion and consistency proofs served from the stored tree of a large disclosure log, in-process, through the
// same service the endpoints call (DisclosureTreeQueries: parameter checks, the signed-size look-up, one query for
// the subtree rows, the proof), each call in its own DI scope with a pooled DbContext as a request has, against
// baselines measured in the same run: one DisclosureTree row read by primary key, and the latest tree head.
var entryCount = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var samples = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
const int SignedSizes = 200;

var keep = args.Length > 3 ? Path.GetFullPath(args[3]) : null;
var directory = keep ?? Path.Combine(Path.GetTempPath(), "consent-proofs-bench", Guid.NewGuid().ToString("n"));
Directory.CreateDirectory(directory);
var file = Path.Combine(directory, "consent.db");
var reuse = keep is not null && File.Exists(file);
Console.WriteLine($"Disclosure log proofs: {entryCount:N0} entries, {samples} samples per operation and round, {rounds} rounds, {Environment.ProcessorCount} cores");
try
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Storage:DataDirectory"] = directory,
    });
    builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    builder.Services.AddDbContextPool<ConsentDb>((services, options) => options.UseConsentSqlite($"Data Source={file}", services));
    builder.AddDisclosureLog();
    builder.AddDisclosureTree();
    using var host = builder.Build();
    await using (var scope = host.Services.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<ConsentDb>().Database.MigrateAsync();
    }

    // The host is not started: the integrator and the signer are run here, step by step, to time them.
    List<long> sizes;
    if (!reuse)
    {
        var stopwatch = Stopwatch.StartNew();
        var lastHash = await SyntheticLog.InsertAsync(host.Services, file, entryCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"log: {entryCount:N0} entries inserted in one transaction in {stopwatch.Elapsed.TotalSeconds:0.0} s, last hash {lastHash[..16]}…"));

        var integrator = host.Services.GetRequiredService<DisclosureTreeIntegrator>();
        stopwatch.Restart();
        var tree = await integrator.IntegrateAsync(CancellationToken.None);
        stopwatch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"integrator: {tree.Size:N0} leaves in {stopwatch.Elapsed.TotalSeconds:0.0} s ({tree.Size / stopwatch.Elapsed.TotalSeconds:N0} leaves/s)"));
        if (tree.Size != entryCount)
        {
            throw new InvalidOperationException("The tree does not cover the log.");
        }

        sizes = await SignedHeads.IssueAsync(host.Services, entryCount, SignedSizes);
    }
    else
    {
        await using var scope = host.Services.CreateAsyncScope();
        sizes = await scope.ServiceProvider.GetRequiredService<ConsentDb>().TreeHeads.Select(h => h.TreeSize).Distinct().OrderBy(s => s).ToListAsync();
        if (sizes[^1] != entryCount)
        {
            throw new InvalidOperationException("The kept database is of another size.");
        }

        Console.WriteLine($"reusing the kept database: {sizes.Count} signed sizes");
    }

    Console.WriteLine($"file: {new FileInfo(file).Length / (1024 * 1024):N0} MiB");

    var random = new Random(20261123);
    var operations = new (string Name, Func<IServiceProvider, Task> Run)[]
    {
        ("tree row by key", async services =>
        {
            var leaf = random.NextInt64(entryCount);
            var db = services.GetRequiredService<ConsentDb>();
            _ = await db.DisclosureTree.AsNoTracking().FirstAsync(r => r.LeafIndex == leaf);
        }),
        ("latest tree head", async services =>
        {
            var outcome = await services.GetRequiredService<DisclosureTreeQueries>().LatestHeadAsync(QueryCollection.Empty, CancellationToken.None);
            Check(outcome.Value is not null);
        }),
        ("inclusion proof", async services =>
        {
            var leaf = random.NextInt64(entryCount);
            var query = new Dictionary<string, StringValues> { ["leaf"] = Text(leaf), ["treeSize"] = Text(entryCount) };
            var outcome = await services.GetRequiredService<DisclosureTreeQueries>().InclusionAsync(
                new InclusionProofQuery(Text(leaf), Text(entryCount)), new QueryCollection(query), CancellationToken.None);
            Check(outcome.Value is { AuditPath.Count: > 0 });
        }),
        ("consistency proof", async services =>
        {
            var a = sizes[random.Next(sizes.Count)];
            var b = sizes[random.Next(sizes.Count)];
            var (from, to) = a <= b ? (a, b) : (b, a);
            var query = new Dictionary<string, StringValues> { ["from"] = Text(from), ["to"] = Text(to) };
            var outcome = await services.GetRequiredService<DisclosureTreeQueries>().ConsistencyAsync(
                new ConsistencyProofQuery(Text(from), Text(to)), new QueryCollection(query), CancellationToken.None);
            Check(outcome.Value is not null);
        }),
    };

    await SignedHeads.VerifySomeProofsAsync(host.Services, entryCount, sizes, random);

    var results = new List<Dictionary<string, (double P50, double P99)>>();
    for (var round = 1; round <= rounds; round++)
    {
        var figures = new Dictionary<string, (double P50, double P99)>();
        // Rounds rotate which operation goes first, so a noisy neighbour does not always land on the same one.
        for (var i = 0; i < operations.Length; i++)
        {
            var (name, run) = operations[(i + round - 1) % operations.Length];
            figures[name] = await Latency.MeasureAsync(host.Services, run, warmUp: samples / 4, samples);
        }

        results.Add(figures);
        Console.WriteLine($"round {round}: " + string.Join("; ", operations.Select(o =>
            string.Create(CultureInfo.InvariantCulture, $"{o.Name} {figures[o.Name].P50:0.000}/{figures[o.Name].P99:0.000} ms"))));
    }

    Console.WriteLine();
    Console.WriteLine("| round | " + string.Join(" | ", operations.Select(o => o.Name + " p50 / p99 (ms)")) + " |");
    Console.WriteLine("|---|" + string.Concat(operations.Select(_ => "---:|")));
    for (var i = 0; i < results.Count; i++)
    {
        Console.WriteLine($"| {i + 1} | " + string.Join(" | ", operations.Select(o =>
            string.Create(CultureInfo.InvariantCulture, $"{results[i][o.Name].P50:0.000} / {results[i][o.Name].P99:0.000}"))) + " |");
    }

    Console.WriteLine("| median | " + string.Join(" | ", operations.Select(o =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Median(results.Select(r => r[o.Name].P50)):0.000} / {Median(results.Select(r => r[o.Name].P99)):0.000}"))) + " |");
}
finally
{
    SqliteConnection.ClearAllPools();
    if (keep is null)
    {
        Directory.Delete(directory, recursive: true);
    }
}

static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

static void Check(bool condition)
{
    if (!condition)
    {
        throw new InvalidOperationException("An operation did not give the expected answer.");
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

internal static class Latency
{
    /// <summary>p50 and p99 in milliseconds of <paramref name="samples"/> calls, one at a time, each in its own scope.</summary>
    public static async Task<(double P50, double P99)> MeasureAsync(IServiceProvider services, Func<IServiceProvider, Task> run, int warmUp, int samples)
    {
        for (var i = 0; i < warmUp; i++)
        {
            await using var scope = services.CreateAsyncScope();
            await run(scope.ServiceProvider);
        }

        var times = new double[samples];
        for (var i = 0; i < samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await using (var scope = services.CreateAsyncScope())
            {
                await run(scope.ServiceProvider);
            }

            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[(int)(samples * 0.50)], times[Math.Min(samples - 1, (int)(samples * 0.99))]);
    }
}

internal static class SyntheticLog
{
    /// <summary>
    /// Writes <paramref name="count"/> chained entries of a realistic shape (three resource ids, a grant and an MOU,
    /// a user, a request id) in one transaction, through the writer's own chaining and column mapping; returns the
    /// last hash.
    /// </summary>
    public static async Task<string> InsertAsync(IServiceProvider services, string file, long count)
    {
        TableColumns<DisclosureEntry> columns;
        await using (var scope = services.CreateAsyncScope())
        {
            columns = TableColumns<DisclosureEntry>.From(scope.ServiceProvider.GetRequiredService<ConsentDb>().Model);
        }

        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            await wal.ExecuteNonQueryAsync();
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = columns.InsertSql;
        var parameters = Enumerable.Range(0, columns.Count).Select(i => insert.Parameters.Add(new SqliteParameter { ParameterName = $"@p{i}" })).ToArray();
        await insert.PrepareAsync();
        var at = DateTimeOffset.UtcNow.AddDays(-365);
        var previous = DisclosureChain.Genesis;
        for (var sequence = 1L; sequence <= count; sequence++)
        {
            var entry = DisclosureEntry.Chain(sequence, at.AddMilliseconds(sequence * 31), Draft(sequence), previous);
            var row = columns.Row(entry);
            for (var i = 0; i < row.Length; i++)
            {
                parameters[i].Value = row[i] ?? DBNull.Value;
            }

            await insert.ExecuteNonQueryAsync();
            previous = entry.Hash;
        }

        await transaction.CommitAsync();
        return previous;
    }

    private static DisclosureDraft Draft(long n) => new(
        $"agency-{n % 40}", $"agency-{n % 40}-ehr", n % 5 == 0 ? null : $"user-{n % 900}", $"sv-{100000 + n % 25000}", "Observation",
        n % 11 == 0 ? [] : [$"Observation/{Guid.CreateVersion7()}", $"Observation/{Guid.CreateVersion7()}", $"Condition/{Guid.CreateVersion7()}"],
        n % 7 == 0 ? "ETREAT" : "TREAT", n % 11 == 0 ? DisclosureDecision.Deny : DisclosureDecision.Permit,
        n % 11 == 0 ? [] : [DisclosureBasis.Grant(Guid.CreateVersion7()), DisclosureBasis.Mou(Guid.CreateVersion7())], "0.1.0",
        "req-" + Guid.NewGuid().ToString("n"), n % 97 == 0);
}

internal static class SignedHeads
{
    /// <summary>
    /// Heads at <paramref name="count"/> random sizes in increasing order, as if signed while the log grew (the root
    /// of each from the stored subtrees, signed with the log's key), then one over the whole tree by the signer.
    /// </summary>
    public static async Task<List<long>> IssueAsync(IServiceProvider services, long entryCount, int count)
    {
        var random = new Random(7);
        var sizes = Enumerable.Range(0, count * 2).Select(_ => 1 + random.NextInt64(entryCount - 1)).Distinct().Take(count).Order().ToList();
        var key = services.GetRequiredService<TreeSigningKey>();
        var timestamp = DateTimeOffset.UtcNow.AddDays(-30).ToUnixTimeMilliseconds();
        var stopwatch = Stopwatch.StartNew();
        await using (var scope = services.CreateAsyncScope())
        {
            var queries = scope.ServiceProvider.GetRequiredService<DisclosureTreeQueries>();
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            foreach (var size in sizes)
            {
                var root = await queries.RootHashAsync(size, CancellationToken.None);
                timestamp += 60_000;
                db.TreeHeads.Add(new StoredTreeHead(size, timestamp, root, key.KeyId, key.Sign(timestamp, size, root)));
            }

            await db.SaveChangesAsync();
        }

        var head = await services.GetRequiredService<TreeHeadSigner>().SignAsync(CancellationToken.None);
        stopwatch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"heads: {sizes.Count + 1} signed in {stopwatch.Elapsed.TotalMilliseconds:0} ms, the last by the signer over {head!.TreeSize:N0} leaves"));
        sizes.Add(head.TreeSize);
        return sizes;
    }

    /// <summary>Proofs from the stored tree verify against the signed roots (a benchmark of wrong answers would be worthless).</summary>
    public static async Task VerifySomeProofsAsync(IServiceProvider services, long entryCount, List<long> sizes, Random random)
    {
        await using var scope = services.CreateAsyncScope();
        var queries = scope.ServiceProvider.GetRequiredService<DisclosureTreeQueries>();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var heads = await db.TreeHeads.AsNoTracking().ToDictionaryAsync(h => h.TreeSize, h => h);
        var publicKey = (await db.DisclosureLogKeys.SingleAsync()).PublicKey;
        for (var i = 0; i < 50; i++)
        {
            var size = sizes[random.Next(sizes.Count)];
            var head = heads[size];
            if (!TreeHeadSignature.Verify(publicKey, new TreeHead(head.TreeSize, head.Timestamp, head.RootHash, head.KeyId, head.Signature)))
            {
                throw new InvalidOperationException($"The head of size {size} does not verify.");
            }

            var leaf = random.NextInt64(size);
            var (path, leafHash) = await queries.InclusionProofAsync(leaf, size, CancellationToken.None);
            var first = sizes[random.Next(sizes.Count)];
            var (m, n) = first <= size ? (first, size) : (size, first);
            var consistency = await queries.ConsistencyProofAsync(m, n, CancellationToken.None);
            if (!MerkleVerifier.VerifyInclusion(leaf, size, leafHash, path, head.RootHash)
                || !MerkleVerifier.VerifyConsistency(m, n, heads[m].RootHash, heads[n].RootHash, consistency))
            {
                throw new InvalidOperationException($"A proof at size {size} does not verify.");
            }
        }

        Console.WriteLine($"checked: 50 inclusion and 50 consistency proofs verify against signed heads (tree of {entryCount:N0})");
    }
}
