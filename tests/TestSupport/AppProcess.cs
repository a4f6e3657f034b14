using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Consent.TestSupport;

/// <summary>
/// One of the platform's apps, started from its build as a child process on a free localhost port, its output kept in a
/// file: the benchmarks run the Release builds, the tests that must stop an instance the hard way (<see cref="Kill"/>)
/// the build they were built with.
/// </summary>
public sealed class AppProcess : IDisposable
{
    private readonly Process process;
    private readonly StreamWriter output;
    private bool disposed;

    private AppProcess(string name, Process process, StreamWriter output, Uri url)
    {
        Name = name;
        this.process = process;
        this.output = output;
        Url = url;
    }

    public string Name { get; }

    public Uri Url { get; }

    public int ProcessId => process.Id;

    public string LogFile => ((FileStream)output.BaseStream).Name;

    /// <summary>Starts <c>dotnet src/{project}/bin/{configuration}/net10.0/{assembly}.dll</c> from the project folder, as ./run.sh does.</summary>
    public static AppProcess Start(string name, string root, string project, string assembly, Uri url, string logDirectory,
        IReadOnlyDictionary<string, string> environment, string configuration = "Release")
    {
        var folder = Path.Combine(root, "src", project);
        var dll = Path.Combine(folder, "bin", configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build {project} ({configuration}) first.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url.GetLeftPart(UriPartial.Authority));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new StreamWriter(Path.Combine(logDirectory, name + ".out")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        process.OutputDataReceived += (_, e) => Write(output, e.Data);
        process.ErrorDataReceived += (_, e) => Write(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new AppProcess(name, process, output, url);
    }

    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} stopped (exit code {process.ExitCode}); see {LogFile}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url, "health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"{Name} did not become ready in {timeout.TotalSeconds:0} s; see {LogFile}");
    }

    /// <summary>Resident memory now (VmRSS) and its peak since start (VmHWM), in MiB, from /proc/{pid}/status.</summary>
    public (double Rss, double Peak) Memory()
    {
        double rss = double.NaN, peak = double.NaN;
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = KiB(line) / 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = KiB(line) / 1024;
            }
        }

        return (rss, peak);
    }

    /// <summary>CPU time the process has used (user and system), from /proc/{pid}/stat, in clock ticks of 10 ms.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>Ends the process at once (SIGKILL), as a crash or a lost machine would: nothing of it runs to finish.</summary>
    public void Kill()
    {
        process.Kill();
        process.WaitForExit(10_000);
    }

    /// <summary>What the app wrote so far, for a failing test's message.</summary>
    public string Output()
    {
        lock (output)
        {
            output.Flush();
        }

        using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var text = reader.ReadToEnd();
        return text.Length > 20_000 ? text[^20_000..] : text;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
        output.Dispose();
    }

    private static double KiB(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static void Write(StreamWriter output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.WriteLine(line);
        }
    }

    /// <summary>A localhost URL on a port nothing listens on now.</summary>
    public static Uri FreeUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://localhost:{((IPEndPoint)listener.LocalEndpoint).Port}/");
    }
}
