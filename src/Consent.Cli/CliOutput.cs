using Spectre.Console;

namespace Consent.Cli;

/// <summary>Where a command writes: plain results and errors as text, tables through Spectre.Console.</summary>
public sealed class CliOutput(TextWriter output, TextWriter error, IAnsiConsole console)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Tables and other rich output (to <see cref="Out"/>).</summary>
    public IAnsiConsole Console { get; } = console;

    public static CliOutput ForConsole() => new(System.Console.Out, System.Console.Error, AnsiConsole.Console);

    /// <summary>Plain text output (no colours, no terminal codes), for tests and redirected output.</summary>
    public static CliOutput ForWriters(TextWriter output, TextWriter error) => new(output, error, AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    }));
}
