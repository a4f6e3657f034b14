using Consent.Log.TreeHeads;
using Consent.Log.Verification;

namespace Consent.Cli;

/// <summary>
/// The files an auditor hands to the log commands: pinned public keys (PEM or the key set of
/// /.well-known/disclosure-log-keys) and tree heads saved earlier. A file that cannot be read or parsed stops the
/// command with a message naming it (exit code 1), never a stack trace.
/// </summary>
internal static class LogInputFiles
{
    public static IReadOnlyList<byte[]> PublicKeys(string path) =>
        Parsed(() => LogPublicKeys.Parse(Read(path, "public key")), path, "public key");

    public static TreeHead TreeHead(string path) =>
        Parsed(() => TreeHeadJson.Parse(Read(path, "tree head")), path, "tree head");

    private static string Read(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailed($"The {what} file {path} cannot be read: {e.Message}");
        }
    }

    private static T Parsed<T>(Func<T> parse, string path, string what)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new CommandFailed($"The {what} file {path} is not usable: {e.Message}");
        }
    }
}
