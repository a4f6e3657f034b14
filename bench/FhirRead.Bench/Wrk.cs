using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

using Consent.TestSupport;

namespace Consent.FhirRead.Bench;

/// <summary>What one wrk run measured.</summary>
internal sealed record WrkResult(double RequestsPerSecond, long Requests, double P50Ms, double P99Ms, long Non2xx, long SocketErrors)
{
    /// <summary>Runs made together against several instances: throughput and counts summed, each percentile the worst of them.</summary>
    public static WrkResult Combine(IReadOnlyList<WrkResult> runs) => runs.Count == 1
        ? runs[0]
        : new WrkResult(runs.Sum(r => r.RequestsPerSecond), runs.Sum(r => r.Requests), runs.Max(r => r.P50Ms), runs.Max(r => r.P99Ms),
            runs.Sum(r => r.Non2xx), runs.Sum(r => r.SocketErrors));
}

/// <summary>Runs wrk (one thread: the load tool shares the machine with the API) and reads its <c>--latency</c> report.</summary>
internal static partial class Wrk
{
    public static Task<WrkResult> RunAsync(Uri url, string token, int threads, int connections, double seconds) =>
        RunAsync(url, ["Authorization: Bearer " + token, "X-Purpose-Of-Use: " + DemoScenario.Purpose, "Accept: application/fhir+json"], null,
            threads, connections, seconds);

    /// <summary>wrk with these headers, and a Lua script when the requests are not all the same GET.</summary>
    public static async Task<WrkResult> RunAsync(Uri url, IEnumerable<string> headers, string? script, int threads, int connections, double seconds)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-t" + threads);
        start.ArgumentList.Add("-c" + connections);
        // wrk takes whole seconds only.
        start.ArgumentList.Add("-d" + Math.Max(1, (int)Math.Round(seconds)).ToString(CultureInfo.InvariantCulture) + "s");
        start.ArgumentList.Add("--latency");
        foreach (var header in headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add(header);
        }

        if (script is not null)
        {
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add(script);
        }

        start.ArgumentList.Add(url.ToString());
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {text}{await error}");
        }

        return Parse(text);
    }

    public static WrkResult Parse(string report)
    {
        double Number(Regex pattern) => pattern.Match(report) is { Success: true } m
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new FormatException("Unexpected wrk report:\n" + report);

        var socketErrors = SocketErrors().Match(report);
        return new WrkResult(
            Number(RequestsPerSecond()),
            (long)Number(Requests()),
            Latency(report, "50%"),
            Latency(report, "99%"),
            Non2xx().Match(report) is { Success: true } non2xx ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors.Success
                ? Enumerable.Range(1, 4).Sum(i => long.Parse(socketErrors.Groups[i].Value, CultureInfo.InvariantCulture))
                : 0);
    }

    private static double Latency(string report, string percentile)
    {
        var match = Regex.Match(report, @"^\s*" + Regex.Escape(percentile) + @"\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new FormatException($"No {percentile} latency in the wrk report:\n{report}");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            _ => value * 60_000,
        };
    }

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s*(\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
