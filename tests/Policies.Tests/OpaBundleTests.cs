using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Policies.Tests;

/// <summary>
/// The Rego bundle in a real OPA: its own _test.rego files, and every decision vector through the OPA
/// client. Runs wherever an <c>opa</c> binary is on PATH, and is reported as skipped, saying why, elsewhere.
/// </summary>
public sealed class OpaBundleTests
{
    private static string RegoDirectory => Path.Combine(AppContext.BaseDirectory, "rego");

    [OpaFact]
    public async Task RegoUnitTests_Pass()
    {
        var (exitCode, output) = await RunAsync(OpaFactAttribute.OpaPath!, $"test -v \"{RegoDirectory}\"", TimeSpan.FromMinutes(2));

        exitCode.ShouldBe(0, output);
    }

    [OpaFact]
    public async Task Opa_AgreesWithEveryDecisionVector()
    {
        var port = FreePort();
        using var opa = Process.Start(new ProcessStartInfo(
            OpaFactAttribute.OpaPath!,
            $"run --server --addr 127.0.0.1:{port} --log-level error \"{RegoDirectory}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            var baseUrl = new Uri($"http://127.0.0.1:{port}/");
            await WaitUntilHealthyAsync(baseUrl);
            using var services = OpaClientTests.Services(baseUrl);
            var pdp = services.GetRequiredService<IPolicyDecisionPoint>();

            var failures = new List<string>();
            foreach (var vector in DecisionVector.Every.OrderBy(v => v.Name, StringComparer.Ordinal))
            {
                var decision = await pdp.DecideAsync(vector.Input);
                try
                {
                    vector.ShouldMatch(decision);
                }
                catch (ShouldAssertException failure)
                {
                    failures.Add($"{vector.Name}: {failure.Message}");
                }
            }

            failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures));
        }
        finally
        {
            opa.Kill(entireProcessTree: true);
            await opa.WaitForExitAsync();
        }
    }

    private static async Task WaitUntilHealthyAsync(Uri baseUrl)
    {
        using var http = new HttpClient { BaseAddress = baseUrl };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("health?bundles", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, "OPA did not become healthy within 30 seconds");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }
}

/// <summary>A fact that runs only where an <c>opa</c> binary is on PATH, decided when the tests are discovered.</summary>
public sealed class OpaFactAttribute : FactAttribute
{
    public static string? OpaPath { get; } = FindOnPath("opa");

    public OpaFactAttribute()
    {
        if (OpaPath is null)
        {
            Skip = "Skipped: no 'opa' binary on PATH, so the Rego bundle was not run. Install OPA (https://www.openpolicyagent.org/docs/#running-opa) to check the bundle against every decision vector.";
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in new[] { Path.Combine(directory, name), Path.Combine(directory, name + ".exe") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
