using System.CommandLine;
using System.Net;
using System.Text.Json;

namespace Consent.Cli.Demo;

/// <summary>
/// Help for the local demo, from the demo credentials file the identity provider writes in Development:
/// <c>consent demo totp &lt;user&gt;</c> prints a staff user's current sign-in code (no authenticator app
/// needed); <c>consent demo token &lt;user&gt;</c> signs the user in and prints an access token for curl.
/// </summary>
internal static class DemoCommands
{
    public const string DefaultPortalRedirectUri = "http://localhost:5003/callback/login/local";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(CliOutput output, TimeProvider time)
    {
        var demo = new Command("demo", "Help with the local demo installation.");
        demo.Add(TotpCommand(output, time));
        demo.Add(TokenCommand(output, time));
        return demo;
    }

    private static Argument<string> User() => new("user") { Description = "Demo user name, e.g. demo-survivor or demo-advocate." };

    private static Option<string> UsersFile() => new("--users-file", "--users")
    {
        Description = "The demo users file.",
        DefaultValueFactory = _ => DemoAccounts.DefaultFile,
    };

    private static Command TotpCommand(CliOutput output, TimeProvider time)
    {
        var user = User();
        var usersFile = UsersFile();
        var totp = new Command("totp", "Print the current TOTP code of a demo staff user.") { user, usersFile };
        totp.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, async () =>
        {
            var account = await DemoAccounts.FindAsync(parse.GetValue(usersFile)!, parse.GetValue(user)!, cancellationToken);
            if (string.IsNullOrEmpty(account.TotpSecret))
            {
                throw new CommandFailed($"'{account.UserName}' signs in without a code.");
            }

            var now = time.GetUtcNow();
            string code;
            try
            {
                code = Totp.Code(account.TotpSecret, now);
            }
            catch (FormatException)
            {
                throw new CommandFailed($"The totpSecret of '{account.UserName}' in the users file is not Base32.");
            }

            await output.Out.WriteLineAsync($"{code}  (valid {Totp.SecondsLeft(now)} more seconds)");
            return ExitCodes.Ok;
        }));
        return totp;
    }

    private static Command TokenCommand(CliOutput output, TimeProvider time)
    {
        var user = User();
        var usersFile = UsersFile();
        var identity = new Option<Uri>("--identity")
        {
            Description = "The identity provider's base URL (default: IDENTITY_URL, else http://localhost:5001/).",
            DefaultValueFactory = HttpUrls.DefaultFrom(HttpUrls.IdentityVariable, "http://localhost:5001/"),
            CustomParser = HttpUrls.ParseBaseUrl,
        };
        var redirectUri = new Option<Uri>("--redirect-uri")
        {
            Description = "The portal's redirect URI registered at the provider (Provider:Portal:RedirectUris). It is not called.",
            DefaultValueFactory = _ => new Uri(DefaultPortalRedirectUri),
            CustomParser = HttpUrls.ParseAbsolute,
        };
        var json = new Option<bool>("--json") { Description = "Print the whole token response (access, refresh and id token) as JSON." };

        var token = new Command("token",
            "Sign a demo user in as the portal does (authorization code with PKCE, TOTP for staff) and print the access token.")
        {
            user, usersFile, identity, redirectUri, json,
        };
        token.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, async () =>
        {
            var account = await DemoAccounts.FindAsync(parse.GetValue(usersFile)!, parse.GetValue(user)!, cancellationToken);

            // A browser of its own: cookies kept for the provider, every redirect looked at before it is followed.
            using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
            using var browser = new HttpClient(handler) { Timeout = Timeout };
            var tokens = await new PortalSignIn(browser, parse.GetValue(identity)!, parse.GetValue(redirectUri)!, time)
                .SignInAsync(account, cancellationToken);

            await output.Out.WriteLineAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(tokens.Response, Indented)
                : tokens.AccessToken);
            return ExitCodes.Ok;
        }));
        return token;
    }
}
