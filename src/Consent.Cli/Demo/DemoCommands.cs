using System.CommandLine;
using System.Text.Json;

namespace Consent.Cli.Demo;

/// <summary>
/// <c>consent demo totp &lt;user&gt;</c>: the current sign-in code of a demo staff user, read from the demo
/// credentials file, so a newcomer can sign in as staff without setting up an authenticator app.
/// </summary>
internal static class DemoCommands
{
    public static Command Create(CliOutput output, TimeProvider time)
    {
        var demo = new Command("demo", "Help with the local demo installation.");
        var user = new Argument<string>("user") { Description = "Demo user name, e.g. demo-advocate." };
        var usersFile = new Option<string>("--users")
        {
            Description = "The demo users file.",
            DefaultValueFactory = _ => Path.Combine(".data", "demo", "users.json"),
        };
        var totp = new Command("totp", "Print the current TOTP code of a demo staff user.") { user, usersFile };
        totp.SetAction((parse, cancellationToken) =>
            PrintCodeAsync(output, time, parse.GetValue(user)!, parse.GetValue(usersFile)!, cancellationToken));
        demo.Add(totp);
        return demo;
    }

    private static async Task<int> PrintCodeAsync(CliOutput output, TimeProvider time, string userName, string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            await output.Error.WriteLineAsync($"error: {file} not found; start the demo with ./run.sh first (or pass --users).");
            return ExitCodes.Failed;
        }

        using var users = JsonDocument.Parse(await File.ReadAllTextAsync(file, cancellationToken));
        var entry = users.RootElement.EnumerateArray()
            .FirstOrDefault(u => u.TryGetProperty("userName", out var name) && name.GetString() == userName);
        if (entry.ValueKind != JsonValueKind.Object)
        {
            await output.Error.WriteLineAsync($"error: no demo user named '{userName}'.");
            return ExitCodes.Failed;
        }

        if (!entry.TryGetProperty("totpSecret", out var secret) || secret.ValueKind != JsonValueKind.String)
        {
            await output.Error.WriteLineAsync($"error: '{userName}' signs in without a code.");
            return ExitCodes.Failed;
        }

        var now = time.GetUtcNow();
        await output.Out.WriteLineAsync($"{Totp.Code(secret.GetString()!, now)}  (valid {Totp.SecondsLeft(now)} more seconds)");
        return ExitCodes.Ok;
    }
}
