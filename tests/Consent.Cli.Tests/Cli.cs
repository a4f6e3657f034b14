namespace Consent.Cli.Tests;

/// <summary>Runs the <c>consent</c> command in-process and captures what it prints.</summary>
public static class Cli
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await ConsentCli.RunAsync(args, CliOutput.ForWriters(output, error));
        return (exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>A directory of its own for each test, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("consent-cli-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
