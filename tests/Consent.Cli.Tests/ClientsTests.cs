using System.Text.Json;
using System.Text.Json.Nodes;

namespace Consent.Cli.Tests;

/// <summary><c>consent clients ...</c> against a stand-in of the identity provider's admin API.</summary>
public sealed class ClientsTests : IAsyncLifetime
{
    private readonly TempDirectory directory = new();
    private StandInIdentity identity = null!;
    private string credentials = null!;

    public async Task InitializeAsync()
    {
        identity = await StandInIdentity.StartAsync();
        credentials = await StandInIdentity.WriteCredentialsAsync(directory);
    }

    public async Task DisposeAsync()
    {
        await identity.DisposeAsync();
        directory.Dispose();
    }

    [Fact]
    public async Task Register_GetsAnOperatorToken_SendsTheRegistration_AndPrintsTheClientId()
    {
        var prefix = directory.File("harbor-house");
        (await Cli.RunAsync("keys", "generate", "--alg", "ES384", "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);
        identity.RegisterAnswer = (201, new
        {
            clientId = "harbor-house-ehr",
            agencyId = "harbor-house",
            displayName = "Harbor House EHR",
            scopes = new[] { "system/Patient.rs", "system/Observation.rs" },
            keyIds = new[] { "kid-1" },
            clientSecret = "s3cret-shown-once",
        });

        var (exitCode, output, error) = await Cli.RunAsync(
            "clients", "register", "--agency", "harbor-house", "--client-id", "harbor-house-ehr", "--name", "Harbor House EHR",
            "--jwk", prefix + ".public.jwk.json", "--scope", "system/Patient.rs", "--scope", "system/Observation.rs", "--issue-secret",
            "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("Registered client harbor-house-ehr for agency harbor-house.");
        output.ShouldContain("s3cret-shown-once");

        var requests = identity.Requests.ToList();
        requests.Count.ShouldBe(2);
        var token = requests[0];
        token.Path.ShouldBe("/connect/token");
        var form = token.Body.Split('&').Select(pair => pair.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        form["grant_type"].ShouldBe("client_credentials");
        form["client_id"].ShouldBe(StandInIdentity.OperatorId);
        form["client_secret"].ShouldBe(StandInIdentity.OperatorSecret);
        form["scope"].ShouldBe("platform/clients.manage");

        var register = requests[1];
        register.Method.ShouldBe("POST");
        register.Path.ShouldBe("/api/clients");
        register.Authorization.ShouldBe("Bearer " + StandInIdentity.AccessToken);
        var body = JsonNode.Parse(register.Body)!.AsObject();
        ((string?)body["agencyId"]).ShouldBe("harbor-house");
        ((string?)body["clientId"]).ShouldBe("harbor-house-ehr");
        ((string?)body["displayName"]).ShouldBe("Harbor House EHR");
        body["scopes"]!.AsArray().Select(s => (string?)s).ShouldBe(["system/Patient.rs", "system/Observation.rs"]);
        ((bool?)body["issueSecret"]).ShouldBe(true);
        body.ContainsKey("jwksUrl").ShouldBeFalse();
        var sentJwk = body["publicJwk"]!.AsObject();
        var publicJwk = JsonNode.Parse(await File.ReadAllTextAsync(prefix + ".public.jwk.json"))!;
        JsonNode.DeepEquals(sentJwk, publicJwk).ShouldBeTrue();
        sentJwk.ContainsKey("d").ShouldBeFalse();
    }

    [Fact]
    public async Task Register_WithOnlyAnAgency_SendsNoOptionalMembers()
    {
        identity.RegisterAnswer = (201, new { clientId = "legal-aid-1a2b", agencyId = "legal-aid", displayName = "legal-aid-1a2b", scopes = new[] { "system/*.rs" }, keyIds = Array.Empty<string>() });

        var (exitCode, output, _) = await Cli.RunAsync("clients", "register", "--agency", "legal-aid", "--jwks-url", "https://legal-aid.example/jwks.json",
            "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("legal-aid-1a2b");
        var body = JsonNode.Parse(identity.Requests.Last().Body)!.AsObject();
        body.Select(member => member.Key).ShouldBe(["agencyId", "jwksUrl", "issueSecret"], ignoreOrder: true);
        ((bool?)body["issueSecret"]).ShouldBe(false);
    }

    [Fact]
    public async Task Register_AConsentDirectory_SendsItsKindAndPurpose_AndPrintsThem()
    {
        var prefix = directory.File("county-cds");
        (await Cli.RunAsync("keys", "generate", "--alg", "ES384", "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);
        identity.RegisterAnswer = (201, new
        {
            clientId = "county-cds",
            agencyId = "harbor-house",
            kind = "consent-directory",
            purposeOfUse = "COC",
            displayName = "County consent directory",
            scopes = new[] { "system/Patient.rs", "system/Consent.rs", "system/Organization.rs" },
            keyIds = new[] { "kid-cds" },
        });

        var (exitCode, output, error) = await Cli.RunAsync(
            "clients", "register", "--agency", "harbor-house", "--kind", "consent-directory", "--purpose", "COC", "--client-id", "county-cds",
            "--jwk", prefix + ".public.jwk.json", "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("Registered consent directory county-cds, operated by agency harbor-house, for purpose COC.");
        output.ShouldContain("consent-directory");
        output.ShouldNotContain("Client secret");
        var body = JsonNode.Parse(identity.Requests.Last().Body)!.AsObject();
        ((string?)body["kind"]).ShouldBe("consent-directory");
        ((string?)body["purposeOfUse"]).ShouldBe("COC");
        ((string?)body["agencyId"]).ShouldBe("harbor-house");
        body.ContainsKey("scopes").ShouldBeFalse("the provider applies a directory's default scopes");
        body.ContainsKey("jwksUrl").ShouldBeFalse();
    }

    [Fact]
    public async Task Register_WithAnUnknownKind_IsAUsageError_AndNothingIsSent()
    {
        var (exitCode, _, error) = await Cli.RunAsync("clients", "register", "--agency", "harbor-house", "--kind", "directory", "--issue-secret",
            "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldStartWith("error: ");
        error.ShouldContain("consent-directory");
        identity.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Register_RefusedWithAValidationProblem_PrintsEachFieldsErrors_AndExits1()
    {
        identity.RegisterAnswer = (400, new
        {
            type = "https://consent.example/problems/invalid-client-registration",
            title = "The client registration is not valid.",
            status = 400,
            errors = new Dictionary<string, string[]>
            {
                ["agencyId"] = ["An agency id is required: 1-64 lowercase letters, digits, '-', '_' or '.'."],
                ["scopes"] = ["Unknown scope(s): patient/*.read."],
            },
        });

        var (exitCode, output, error) = await Cli.RunAsync("clients", "register", "--agency", "Bad Agency", "--issue-secret",
            "--scope", "patient/*.read", "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldNotContain("Registered");
        var lines = error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("error: The client registration is not valid.");
        lines.ShouldContain("  agencyId: An agency id is required: 1-64 lowercase letters, digits, '-', '_' or '.'.");
        lines.ShouldContain("  scopes: Unknown scope(s): patient/*.read.");
    }

    [Fact]
    public async Task Register_WithAPrivateKeyFile_IsRefusedBeforeAnythingIsSent()
    {
        var prefix = directory.File("oops");
        (await Cli.RunAsync("keys", "generate", "--alg", "RS384", "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);

        var (exitCode, _, error) = await Cli.RunAsync("clients", "register", "--agency", "oops", "--jwk", prefix + ".private.jwk.json",
            "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("holds a private key");
        identity.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task WrongOperatorSecret_ReportsTheTokenEndpointsError_AndExits1()
    {
        var wrong = await StandInIdentity.WriteCredentialsAsync(directory, secret: "not-it");

        var (exitCode, _, error) = await Cli.RunAsync("clients", "list", "--identity", identity.BaseUrl.ToString(), "--platform-client", wrong);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("refused the operator credentials of consent-platform (401)");
        error.ShouldContain("invalid_client: The client credentials are invalid.");
        identity.Requests.Select(r => r.Path).ShouldBe(["/connect/token"]);
    }

    [Fact]
    public async Task OperatorIdAndSecret_FromOptions_TakePrecedenceOverTheFile()
    {
        var (exitCode, _, _) = await Cli.RunAsync("clients", "list", "--identity", identity.BaseUrl.ToString(),
            "--operator-id", StandInIdentity.OperatorId, "--operator-secret", StandInIdentity.OperatorSecret,
            "--platform-client", directory.File("does-not-exist.json"));

        exitCode.ShouldBe(ExitCodes.Ok);
    }

    [Fact]
    public async Task List_PrintsATableOfClients()
    {
        identity.Clients.Add(new { clientId = "harbor-house-system", agencyId = "harbor-house", displayName = "Harbor House", scopes = new[] { "system/*.rs" }, keyIds = new[] { "k1" } });
        identity.Clients.Add(new { clientId = "metro-pd-system", agencyId = "metro-pd", displayName = "Metro PD", scopes = new[] { "system/*.rs" }, keyIds = Array.Empty<string>() });
        identity.Clients.Add(new
        {
            clientId = "county-cds", agencyId = "harbor-house", kind = "consent-directory", purposeOfUse = "TREAT", displayName = "County CDS",
            scopes = new[] { "system/Consent.rs" }, keyIds = new[] { "k2" },
        });

        var (exitCode, output, _) = await Cli.RunAsync("clients", "list", "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("Client id");
        output.ShouldContain("harbor-house-system");
        output.ShouldContain("metro-pd-system");
        var directoryRow = output.Split('\n').Single(line => line.Contains("county-cds", StringComparison.Ordinal));
        directoryRow.ShouldContain("consent-directory");
        directoryRow.ShouldContain("TREAT");
        var systemRow = output.Split('\n').Single(line => line.Contains("metro-pd-system", StringComparison.Ordinal));
        systemRow.ShouldContain("agency-system");
        systemRow.ShouldNotContain("TREAT");
        identity.Requests.Last().Authorization.ShouldBe("Bearer " + StandInIdentity.AccessToken);
    }

    [Fact]
    public async Task Remove_RemovesTheClient_OrExits1WhenThereIsNone()
    {
        identity.Removable.Add("metro-pd-system");

        var removed = await Cli.RunAsync("clients", "remove", "metro-pd-system", "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);
        var again = await Cli.RunAsync("clients", "remove", "metro-pd-system", "--identity", identity.BaseUrl.ToString(), "--platform-client", credentials);

        removed.ExitCode.ShouldBe(ExitCodes.Ok);
        removed.Out.ShouldContain("Removed client metro-pd-system.");
        identity.Requests.ShouldContain(r => r.Method == "DELETE" && r.Path == "/api/clients/metro-pd-system");
        again.ExitCode.ShouldBe(ExitCodes.Failed);
        again.Error.ShouldContain("No agency client metro-pd-system is registered.");
    }

    [Fact]
    public async Task UnreachableIdentityProvider_Exits1_WithAClearMessage()
    {
        var address = identity.BaseUrl.ToString();
        await identity.DisposeAsync();
        identity = await StandInIdentity.StartAsync();

        var (exitCode, _, error) = await Cli.RunAsync("clients", "list", "--identity", address, "--platform-client", credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldStartWith("error: Cannot reach the identity provider at " + address);
    }

    [Fact]
    public async Task MissingCredentials_IsAUsageError()
    {
        var (exitCode, _, error) = await Cli.RunAsync("clients", "list", "--identity", identity.BaseUrl.ToString(),
            "--platform-client", directory.File("nowhere.json"));

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldContain("No operator credentials");
    }

    [Fact]
    public async Task PlainHttpToAnotherHost_IsRefused_SoTheSecretNeverTravelsInClear()
    {
        var (exitCode, _, error) = await Cli.RunAsync("clients", "list", "--identity", "http://identity.example/", "--platform-client", credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("Refusing to send the operator secret over plain HTTP");
    }
}
