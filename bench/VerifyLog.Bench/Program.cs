using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Consent.Log.Testing;
using Consent.Log.Verification;

// dotnet run -c Release --project bench/VerifyLog.Bench -- [entries] [rounds] [database file to keep and reuse]
//
// Generates a log database of realistic entries (tree rows and a few signed heads included), keeping every entry's
// leaf input (0x00 ‖ canonical encoding ‖ previous hash) in memory, then per round measures
// (a) raw: one SHA256.HashData per entry over those bytes, single thread: the least any verifier must do;
// (b) verify: LogVerifier over the file, everything included (reading, re-encoding, chain, tree, heads);
// and, for reading the figures, (c) raw hashing through the call the verifier itself uses for SHA-256 (on Linux,
// OpenSSL's SHA256_Init/Update/Final: see src/Consent.Log/Verification/Sha256Hasher.cs), and verify's CPU time.
var entries = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var kept = args.Length > 2 ? Path.GetFullPath(args[2]) : null;

var directory = Path.Combine(Path.GetTempPath(), "consent-verify-log-bench", Guid.NewGuid().ToString("n"));
Directory.CreateDirectory(directory);
var file = kept ?? Path.Combine(directory, "consent.db");
try
{
    Console.WriteLine($"Verify log: {entries:N0} entries, {rounds} rounds, {Environment.ProcessorCount} cores");
    var clock = Stopwatch.StartNew();
    var reuse = kept is not null && File.Exists(kept);
    var inputs = LeafInputs.Generate(file, entries, write: !reuse);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{(reuse ? "Reused" : "Generated")} {file} ({new FileInfo(file).Length / 1048576.0:N0} MiB) in {clock.Elapsed.TotalSeconds:N1} s; leaf inputs {inputs.Bytes / (double)entries:N0} bytes per entry on average"));

    var results = new List<(double Raw, double Verify, double LowLevel, double CpuMicroseconds)>();
    for (var round = 1; round <= rounds; round++)
    {
        var raw = inputs.HashAll();
        var (verify, cpu) = Verify(file, entries);
        var lowLevel = inputs.HashAllAsTheVerifier();
        results.Add((raw, verify, lowLevel, cpu));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round}: raw {raw:N0}/s, verify {verify:N0}/s ({cpu:0.00} CPU µs per entry), ratio {raw / verify:0.00}; verifier's SHA-256 call {lowLevel:N0}/s"));
    }

    Console.WriteLine();
    Console.WriteLine("| round | raw SHA-256 (SHA256.HashData, 1 thread) | verify-log (file, 2 threads) | raw / verify | verify CPU per entry | SHA-256 as the verifier calls it (1 thread) | that / verify |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    for (var i = 0; i < results.Count; i++)
    {
        var r = results[i];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {i + 1} | {r.Raw:N0}/s | {r.Verify:N0}/s | {r.Raw / r.Verify:0.00} | {r.CpuMicroseconds:0.00} µs | {r.LowLevel:N0}/s | {r.LowLevel / r.Verify:0.00} |"));
    }

    var medianRaw = Median(results.Select(r => r.Raw));
    var medianVerify = Median(results.Select(r => r.Verify));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| median | {medianRaw:N0}/s | {medianVerify:N0}/s | {Median(results.Select(r => r.Raw / r.Verify)):0.00} | {Median(results.Select(r => r.CpuMicroseconds)):0.00} µs | {Median(results.Select(r => r.LowLevel)):N0}/s | {Median(results.Select(r => r.LowLevel / r.Verify)):0.00} |"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Targets: verify >= 1,000,000 entries/s: {(medianVerify >= 1_000_000 ? "met" : "NOT met")}; raw / verify <= 3: {(Median(results.Select(r => r.Raw / r.Verify)) <= 3 ? "met" : "NOT met")}"));
}
finally
{
    Directory.Delete(directory, recursive: true);
}

static (double Rate, double CpuMicroseconds) Verify(string file, long entries)
{
    var process = Process.GetCurrentProcess();
    var cpu = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var result = LogVerifier.VerifyFile(file);
    var elapsed = clock.Elapsed.TotalSeconds;
    process.Refresh();
    if (!result.Holds || result.EntriesChecked != entries)
    {
        throw new InvalidOperationException($"The generated log does not verify: {result.FirstFailure}");
    }

    return (entries / elapsed, (process.TotalProcessorTime - cpu).TotalMicroseconds / entries);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>Every entry's 0x00 ‖ leaf input, back to back in one array, and where each starts.</summary>
internal sealed class LeafInputs(byte[] bytes, long[] offsets)
{
    public long Bytes => offsets[^1];

    public static LeafInputs Generate(string file, long entries, bool write)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var offsets = new long[entries + 1];
        var bytes = new byte[checked((int)Math.Min(Array.MaxLength, entries * 400))];
        LogDatabaseWriter? writer = write ? new LogDatabaseWriter(file, key) : null;
        try
        {
            var previous = new byte[32];
            for (long i = 0; i < entries; i++)
            {
                byte[] input;
                if (writer is not null)
                {
                    var hash = writer.Append(SampleEntries.Make(i));
                    input = writer.LastLeafInput;
                    if ((i + 1) % 100_000 == 0)
                    {
                        writer.Commit();
                    }

                    if ((i + 1) % 250_000 == 0 || i + 1 == entries)
                    {
                        writer.SignHead(1_767_225_600_000 + i * 37);
                    }

                    _ = hash;
                }
                else
                {
                    var row = SampleEntries.Make(i);
                    input = LogDatabaseWriter.LeafInput(i + 1, row,
                        System.Text.Json.JsonSerializer.Serialize(row.ResourceIds), System.Text.Json.JsonSerializer.Serialize(row.Basis), previous);
                    previous = Consent.Log.Merkle.MerkleHash.LeafHash(input);
                }

                // Stored with its 0x00 prefix: the raw baseline hashes exactly the bytes a leaf hash covers.
                var at = offsets[i];
                if (at + 1 + input.Length > bytes.Length)
                {
                    Array.Resize(ref bytes, checked((int)Math.Min(Array.MaxLength, 2L * bytes.Length)));
                }

                bytes[at] = 0x00;
                input.CopyTo(bytes, at + 1);
                offsets[i + 1] = at + 1 + input.Length;
            }
        }
        finally
        {
            writer?.Dispose();
        }

        return new LeafInputs(bytes, offsets);
    }

    /// <summary>One SHA-256 per entry, one thread; returns entries per second.</summary>
    public double HashAll()
    {
        Span<byte> hash = stackalloc byte[32];
        var count = offsets.Length - 1;
        var clock = Stopwatch.StartNew();
        byte check = 0;
        for (var i = 0; i < count; i++)
        {
            SHA256.HashData(bytes.AsSpan((int)offsets[i], (int)(offsets[i + 1] - offsets[i])), hash);
            check ^= hash[0];
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(check);
        return count / elapsed;
    }

    /// <summary>The same, through the verifier's own SHA-256 call; for reading the figures, not the baseline.</summary>
    public double HashAllAsTheVerifier()
    {
        Span<byte> hash = stackalloc byte[32];
        var count = offsets.Length - 1;
        using var sha256 = new Sha256Hasher();
        var clock = Stopwatch.StartNew();
        byte check = 0;
        for (var i = 0; i < count; i++)
        {
            sha256.Hash(bytes.AsSpan((int)offsets[i], (int)(offsets[i + 1] - offsets[i])), hash);
            check ^= hash[0];
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(check);
        return count / elapsed;
    }
}
