namespace Consent.Cli;

/// <summary>What the <c>consent</c> command returns to scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and did not succeed (refused, unreachable, invalid input file).</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>
    /// <c>verify-log</c>: the log was read and a check failed (an entry, the tree or a tree head). A log that cannot
    /// be read at all (no file, not a log database, a malformed key or tree head file) is <see cref="Failed"/>.
    /// </summary>
    public const int LogDoesNotVerify = 3;
}
