using Spectre.Console;
using Spectre.Console.Rendering;

namespace Consent.Cli;

/// <summary>Where a command writes: plain results and errors as text, tables through Spectre.Console.</summary>
public sealed class CliOutput(TextWriter output, TextWriter error, IAnsiConsole console)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Tables and other rich output (to <see cref="Out"/>).</summary>
    public IAnsiConsole Console { get; } = console;

    /// <summary>
    /// Writes a table, at its natural width (one line per row) when the console is too narrow to hold it without breaking
    /// words: there Spectre.Console would fold ids and key ids mid-word, or print a lone "…" instead of a table whose
    /// no-wrap columns do not fit (at 80 columns, the width of redirected output, the demo's clients do not). A narrow
    /// terminal wraps the long lines; nothing is lost.
    /// </summary>
    public void Write(Table table)
    {
        var width = Console.Profile.Width;
        var size = ((IRenderable)table).Measure(RenderOptions.Create(Console, Console.Profile.Capabilities), int.MaxValue);
        if (size.Min <= width)
        {
            Console.Write(table);
            return;
        }

        Console.Profile.Width = size.Max;
        try
        {
            Console.Write(table);
        }
        finally
        {
            Console.Profile.Width = width;
        }
    }

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
