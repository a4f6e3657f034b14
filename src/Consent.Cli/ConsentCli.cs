using System.CommandLine;
using System.CommandLine.Invocation;
using Consent.Cli.Clients;
using Consent.Cli.Demo;
using Consent.Cli.Keys;
using Consent.Cli.LogAudit;
using Consent.Cli.Seed;
using Consent.Cli.VerifyLog;

namespace Consent.Cli;

/// <summary>
/// The <c>consent</c> command. Each group of subcommands lives in its own folder and adds itself here
/// (<c>clients</c>, <c>keys</c>, <c>demo</c>, <c>verify-log</c>, <c>log</c>, <c>seed</c>).
/// Commands that call the API take an optional <see cref="HttpMessageHandler"/>, so tests can route them to an in-process host.
/// </summary>
public static class ConsentCli
{
    public static RootCommand Create(CliOutput output, TimeProvider? time = null, HttpMessageHandler? http = null)
    {
        var root = new RootCommand("Operate the consent platform: agency clients, keys, demo users, the disclosure log, synthetic data for benchmarks.");
        root.Add(ClientsCommands.Create(output));
        root.Add(KeysCommands.Create(output));
        root.Add(DemoCommands.Create(output, time ?? TimeProvider.System));
        root.Add(VerifyLogCommand.Create(output));
        root.Add(LogCommands.Create(output, http));
        root.Add(SeedCommand.Create(output, time ?? TimeProvider.System));
        return root;
    }

    public static async Task<int> RunAsync(
        string[] args, CliOutput output, CancellationToken cancellationToken = default, TimeProvider? time = null, HttpMessageHandler? http = null)
    {
        var parsed = Create(output, time, http).Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
            {
                await output.Error.WriteLineAsync("error: " + error.Message);
            }

            await output.Error.WriteLineAsync("Run 'consent --help' (or 'consent <command> --help') for usage.");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = output.Out,
            Error = output.Error,
            EnableDefaultExceptionHandler = false,
        }, cancellationToken);
    }
}
