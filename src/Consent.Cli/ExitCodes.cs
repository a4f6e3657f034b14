namespace Consent.Cli;

/// <summary>What the <c>consent</c> command returns to scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The command ran and did not succeed (refused, unreachable, invalid input file).</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;
}
