using System.CommandLine;
using System.Text.Json;

namespace Consent.Cli.Keys;

/// <summary><c>consent keys generate</c>: a key pair an agency registers (public half) and keeps (private half).</summary>
internal static class KeysCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(CliOutput output)
    {
        var keys = new Command("keys", "Make signing keys for agency systems.");

        var algorithm = new Option<string>("--alg")
        {
            Description = "Signing algorithm: RS384 (RSA 3072) or ES384 (EC P-384).",
            DefaultValueFactory = _ => JwkKeyPair.Es384,
        };
        algorithm.AcceptOnlyFromAmong([.. JwkKeyPair.Algorithms]);
        var prefix = new Option<string>("--out")
        {
            Description = "File name prefix: writes <prefix>.private.jwk.json and <prefix>.public.jwk.json.",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Overwrite existing key files." };

        var generate = new Command("generate", "Generate a key pair as JSON Web Keys; the private file is readable by its owner only.")
        {
            algorithm, prefix, force,
        };
        generate.SetAction((parse, cancellationToken) =>
            GenerateAsync(output, parse.GetValue(algorithm)!, parse.GetValue(prefix)!, parse.GetValue(force), cancellationToken));
        keys.Add(generate);
        return keys;
    }

    private static async Task<int> GenerateAsync(CliOutput output, string algorithm, string prefix, bool force, CancellationToken cancellationToken)
    {
        var privatePath = Path.GetFullPath(prefix + ".private.jwk.json");
        var publicPath = Path.GetFullPath(prefix + ".public.jwk.json");
        if (!force && (File.Exists(privatePath) || File.Exists(publicPath)))
        {
            await output.Error.WriteLineAsync($"error: {privatePath} or {publicPath} already exists; pass --force to overwrite.");
            return ExitCodes.Failed;
        }

        var directory = Path.GetDirectoryName(privatePath);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            await output.Error.WriteLineAsync($"error: the directory {directory} does not exist.");
            return ExitCodes.Failed;
        }

        var pair = JwkKeyPair.Generate(algorithm);
        await WriteOwnerOnlyAsync(privatePath, pair.PrivateJwk.ToJsonString(Indented), cancellationToken);
        await File.WriteAllTextAsync(publicPath, pair.PublicJwk.ToJsonString(Indented) + Environment.NewLine, cancellationToken);

        await output.Out.WriteLineAsync($"Generated {pair.Algorithm} key {pair.KeyId}");
        await output.Out.WriteLineAsync($"  private key (keep it secret, never send it): {privatePath}");
        await output.Out.WriteLineAsync($"  public key (register it):                   {publicPath}");
        await output.Out.WriteLineAsync($"Register it with: consent clients register --agency <agency-id> --jwk {publicPath}");
        return ExitCodes.Ok;
    }

    /// <summary>Creates the file readable and writable by its owner only, before any secret is written to it.</summary>
    private static async Task WriteOwnerOnlyAsync(string path, string content, CancellationToken cancellationToken)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteLineAsync(content.AsMemory(), cancellationToken);
        }

        // The process umask can only remove bits; set the mode explicitly all the same.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
