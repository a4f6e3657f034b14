using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Consent.TestSupport;

namespace Consent.Cli.Tests;

/// <summary>
/// <c>consent demo token</c> against the real identity provider: the login form, the TOTP page for staff,
/// the code redeemed with PKCE, and a token whose claims are the user's.
/// </summary>
public sealed class DemoTokenTests(RealIdentity identity) : IClassFixture<RealIdentity>, IDisposable
{
    private readonly TempDirectory directory = new();

    [Fact]
    public async Task Survivor_WithoutMfa_GetsAnAccessToken_CarryingTheirSurvivorId()
    {
        var (exitCode, output, error) = await Cli.RunAsync("demo", "token", "demo-survivor",
            "--identity", identity.BaseUrl.ToString(), "--users-file", identity.UsersFile);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        var token = output.TrimEnd('\r', '\n');
        token.ShouldNotContain("\n"); // nothing but the token, so $(...) captures it whole
        var claims = Payload(token);
        Claim(claims, "sub").ShouldBe(await identity.UserIdAsync("demo-survivor"));
        Claim(claims, "iss").ShouldBe(IdentityHost.Issuer);
        Values(claims, "role").ShouldBe(["survivor"]);
        Claim(claims, "survivor_id").ShouldBe("sv-1001");
        claims.TryGetProperty("agency_id", out _).ShouldBeFalse();
        Values(claims, "aud").ShouldContain("consent-api");
        Values(claims, "scope").ShouldContain("consent-api");

        // The provider itself accepts the token (its signature and lifetime are its own).
        using var http = new HttpClient { BaseAddress = identity.BaseUrl };
        using var userInfo = new HttpRequestMessage(HttpMethod.Get, "connect/userinfo");
        userInfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await http.SendAsync(userInfo);
        answer.IsSuccessStatusCode.ShouldBeTrue();
        Claim(JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement, "sub").ShouldBe(Claim(claims, "sub"));
    }

    [Fact]
    public async Task StaffMember_PassesTheTotpPage_AndGetsAToken_CarryingTheirAgency()
    {
        identity.User("demo-advocate").TotpSecret.ShouldNotBeNullOrEmpty();

        var (exitCode, output, error) = await Cli.RunAsync("demo", "token", "demo-advocate",
            "--identity", identity.BaseUrl.ToString(), "--users-file", identity.UsersFile);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        var claims = Payload(output.Trim());
        Claim(claims, "sub").ShouldBe(await identity.UserIdAsync("demo-advocate"));
        Values(claims, "role").ShouldBe(["advocate"]);
        Claim(claims, "agency_id").ShouldBe("harbor-house");
        claims.TryGetProperty("survivor_id", out _).ShouldBeFalse();
        Values(claims, "amr").ShouldContain("mfa");
    }

    [Fact]
    public async Task Json_PrintsTheWholeTokenResponse()
    {
        var (exitCode, output, _) = await Cli.RunAsync("demo", "token", "demo-compliance", "--json",
            "--identity", identity.BaseUrl.ToString(), "--users-file", identity.UsersFile);

        exitCode.ShouldBe(ExitCodes.Ok);
        var response = JsonDocument.Parse(output).RootElement;
        Claim(response, "token_type").ShouldBe("Bearer");
        Claim(response, "refresh_token").ShouldNotBeNullOrEmpty(); // offline_access, as the portal asks
        Claim(response, "id_token").ShouldNotBeNullOrEmpty();
        Values(Payload(Claim(response, "access_token")!), "role").ShouldBe(["compliance"]);
    }

    [Fact]
    public async Task UnknownUser_Exits1_WithAMessage_AndPrintsNoToken()
    {
        var (exitCode, output, error) = await Cli.RunAsync("demo", "token", "nobody",
            "--identity", identity.BaseUrl.ToString(), "--users-file", identity.UsersFile);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldStartWith("error: No demo user named 'nobody'");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task WrongPassword_Exits1_WithTheProvidersReason()
    {
        var file = await UsersFileWith("demo-survivor", user => user with { Password = "not-the-password" });

        var (exitCode, output, error) = await Cli.RunAsync("demo", "token", "demo-survivor",
            "--identity", identity.BaseUrl.ToString(), "--users-file", file);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldStartWith("error: The identity provider refused the sign-in of 'demo-survivor': The user name or password is not right.");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task WrongTotpSecret_Exits1_SayingTheCodeWasRefused()
    {
        var file = await UsersFileWith("demo-shelter-admin", user => user with { TotpSecret = "JACVIO5D3MKYUU6ZVCMOY3WU5GXAHEKA" });

        var (exitCode, output, error) = await Cli.RunAsync("demo", "token", "demo-shelter-admin",
            "--identity", identity.BaseUrl.ToString(), "--users-file", file);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldStartWith("error: The identity provider refused the security code of 'demo-shelter-admin'");
    }

    [Fact]
    public async Task UnregisteredRedirectUri_Exits1_WithoutACode()
    {
        var (exitCode, output, error) = await Cli.RunAsync("demo", "token", "demo-survivor", "--redirect-uri", "http://localhost:5999/elsewhere",
            "--identity", identity.BaseUrl.ToString(), "--users-file", identity.UsersFile);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldStartWith("error: The identity provider answered 400 at /connect/authorize.");
        error.ShouldContain("redirect_uri");
    }

    [Fact]
    public async Task UnreachableProvider_Exits1_WithAClearMessage()
    {
        var (exitCode, output, error) = await Cli.RunAsync("demo", "token", "demo-survivor",
            "--identity", "http://127.0.0.1:1/", "--users-file", identity.UsersFile);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldStartWith("error: Cannot reach the identity provider at http://127.0.0.1:1/");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task MissingUsersFile_SaysHowToGetOne()
    {
        var (exitCode, _, error) = await Cli.RunAsync("demo", "token", "demo-survivor", "--users-file", directory.File("none.json"));

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("./run.sh");
    }

    [Fact]
    public async Task PlainHttpToAnotherHost_IsRefused_SoThePasswordNeverTravelsInClear()
    {
        var (exitCode, _, error) = await Cli.RunAsync("demo", "token", "demo-survivor",
            "--identity", "http://identity.example/", "--users-file", identity.UsersFile);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("Refusing to send a password over plain HTTP");
    }

    private async Task<string> UsersFileWith(string userName, Func<DemoUser, DemoUser> change)
    {
        var file = directory.File("users.json");
        var users = identity.Users.Select(user => user.UserName == userName ? change(user) : user).ToList();
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(users, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        return file;
    }

    private static JsonElement Payload(string jwt)
    {
        var parts = jwt.Split('.');
        parts.Length.ShouldBe(3, "a signed JWT has three parts");
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))).RootElement;
    }

    private static string? Claim(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) ? value.GetString() : null;

    /// <summary>A claim that may be a single value or an array (role, aud, amr) or space-separated (scope).</summary>
    private static string[] Values(JsonElement json, string name) =>
        !json.TryGetProperty(name, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Select(v => v.GetString()!)]
        : name == "scope" ? value.GetString()!.Split(' ')
        : [value.GetString()!];

    public void Dispose() => directory.Dispose();
}
