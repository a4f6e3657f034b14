namespace Consent.Cli;

/// <summary>
/// A command could not do what was asked, for a reason the operator can act on. The message and details
/// are printed as they are (no stack trace); the command exits with <see cref="ExitCodes.Failed"/>, or
/// <see cref="ExitCodes.Usage"/> when the command line lacks something.
/// </summary>
public sealed class CommandFailed(string message, IReadOnlyList<string>? details = null, int exitCode = ExitCodes.Failed)
    : Exception(message)
{
    public IReadOnlyList<string> Details { get; } = details ?? [];

    public int ExitCode { get; } = exitCode;

    /// <summary>Runs a command body, printing a <see cref="CommandFailed"/> instead of letting it escape.</summary>
    public static async Task<int> PrintedAsync(CliOutput output, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CommandFailed failure)
        {
            await output.Error.WriteLineAsync("error: " + failure.Message);
            foreach (var detail in failure.Details)
            {
                await output.Error.WriteLineAsync("  " + detail);
            }

            return failure.ExitCode;
        }
    }
}
