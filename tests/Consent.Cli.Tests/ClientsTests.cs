using System.Text.Json;
using Consent.Identity.Clients;
using Consent.Identity.Seeding;
using Consent.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;

namespace Consent.Cli.Tests;

/// <summary>
/// <c>consent clients register|list|remove</c> against the real identity provider, with the platform operator's
/// credentials file its demo seed writes: what each command prints, and what the provider holds afterwards (the
/// registration, its keys and secret, a removed client gone), read back through the provider's own services.
/// </summary>
public sealed class ClientsTests(RealIdentity identity) : IClassFixture<RealIdentity>, IDisposable
{
    private const string SecretLine = "Client secret (shown only now; store it safely): ";

    private readonly TempDirectory directory = new();

    private string Credentials => identity.PlatformClientFile;

    private string IdentityUrl => identity.BaseUrl.ToString();

    [Fact]
    public async Task Register_WithAKeyAndASecret_RegistersTheClientAtTheProvider_AndPrintsTheSecretOnce()
    {
        var prefix = directory.File("harbor-house");
        (await Cli.RunAsync("keys", "generate", "--alg", "ES384", "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);
        var operatorTokens = await OperatorTokensAsync();

        var (exitCode, output, error) = await Cli.RunAsync(
            "clients", "register", "--agency", "harbor-house", "--client-id", "harbor-house-ehr", "--name", "Harbor House EHR",
            "--jwk", prefix + ".public.jwk.json", "--scope", "system/Patient.rs", "--scope", "system/Observation.rs", "--issue-secret",
            "--identity", IdentityUrl, "--platform-client", Credentials);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("Registered client harbor-house-ehr for agency harbor-house.");
        Rows(output).Skip(1).ShouldHaveSingleItem()[..4].ShouldBe(["harbor-house-ehr", "harbor-house", "agency-system", "-"]);
        (await OperatorTokensAsync()).ShouldBe(operatorTokens + 1, "one operator token, by client_credentials with the operator's secret");

        var held = (await HeldAsync("harbor-house-ehr")).ShouldNotBeNull();
        held.Client.AgencyId.ShouldBe("harbor-house");
        held.Client.Kind.ShouldBe("agency-system");
        held.Client.PurposeOfUse.ShouldBeNull();
        held.Client.DisplayName.ShouldBe("Harbor House EHR");
        held.Client.Scopes.ShouldBe(["system/Patient.rs", "system/Observation.rs"]);
        held.JwksUrl.ShouldBeNull();
        var publicJwk = JsonDocument.Parse(await File.ReadAllTextAsync(prefix + ".public.jwk.json")).RootElement;
        var key = held.Keys.ShouldHaveSingleItem();
        key.KeyId.ShouldBe(publicJwk.GetProperty("kid").GetString());
        key.Kty.ShouldBe("EC");
        key.Crv.ShouldBe("P-384");
        key.X.ShouldBe(publicJwk.GetProperty("x").GetString());
        key.Y.ShouldBe(publicJwk.GetProperty("y").GetString());
        key.D.ShouldBeNullOrEmpty();
        held.HasSecret.ShouldBeTrue();

        // The secret printed is the one the provider holds, shown once, and the registered key signs the system's assertions.
        var secret = output.Split(Environment.NewLine).Single(line => line.StartsWith(SecretLine, StringComparison.Ordinal))[SecretLine.Length..];
        output.Split(secret).Length.ShouldBe(2);
        using var http = new HttpClient { BaseAddress = identity.BaseUrl };
        var (secretStatus, _, secretAnswer) = await TokenRequests.ReadAsync(
            await TokenRequests.ClientCredentialsWithSecret(http, "harbor-house-ehr", secret, "system/Patient.rs"));
        secretStatus.ShouldBe(200, secretAnswer.ToString());
        var privateJwk = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(prefix + ".private.jwk.json"))!;
        var system = new DemoClient("harbor-house-ehr", "harbor-house", secret, privateJwk, "ES384");
        var (keyStatus, _, keyAnswer) = await TokenRequests.ReadAsync(
            await TokenRequests.ClientCredentialsWithAssertion(http, system.ClientId, ClientAssertions.Create(system), "system/Observation.rs"));
        keyStatus.ShouldBe(200, keyAnswer.ToString());
    }

    [Fact]
    public async Task Register_WithOnlyAnAgencyAndAJwksUrl_GetsTheProvidersDefaults_AndNoSecret()
    {
        // The provider's own JWKS stands in for the key set an agency publishes: a real URL the provider reads at registration.
        var jwksUrl = new Uri(identity.BaseUrl, ".well-known/jwks").ToString();
        using var http = new HttpClient();
        var published = JsonDocument.Parse(await http.GetStringAsync(jwksUrl)).RootElement
            .GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).ToList();
        var before = await HeldIdsAsync();

        var (exitCode, output, error) = await Cli.RunAsync("clients", "register", "--agency", "bridge-legal", "--jwks-url", jwksUrl,
            "--identity", IdentityUrl, "--platform-client", Credentials);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        var clientId = (await HeldIdsAsync()).Except(before).ShouldHaveSingleItem();
        clientId.ShouldStartWith("bridge-legal-");
        output.ShouldContain($"Registered client {clientId} for agency bridge-legal.");
        output.ShouldNotContain("Client secret");

        var held = (await HeldAsync(clientId)).ShouldNotBeNull();
        held.Client.AgencyId.ShouldBe("bridge-legal");
        held.Client.Kind.ShouldBe("agency-system");
        held.Client.PurposeOfUse.ShouldBeNull();
        held.Client.DisplayName.ShouldBe(clientId, "no name was sent: the provider names the client by its id");
        held.Client.Scopes.ShouldBe(["system/*.rs", "system/*.cruds"], "no scopes were sent: an agency system's defaults");
        held.JwksUrl.ShouldBe(jwksUrl);
        held.Keys.Select(k => k.KeyId).ShouldBe(published, ignoreOrder: true);
        held.HasSecret.ShouldBeFalse();
    }

    [Fact]
    public async Task Register_AConsentDirectory_RegistersItsKindAndPurpose_AndPrintsThem()
    {
        var prefix = directory.File("county-cds");
        (await Cli.RunAsync("keys", "generate", "--alg", "ES384", "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);

        var (exitCode, output, error) = await Cli.RunAsync(
            "clients", "register", "--agency", "harbor-house", "--kind", "consent-directory", "--purpose", "COC", "--client-id", "county-cds",
            "--jwk", prefix + ".public.jwk.json", "--identity", IdentityUrl, "--platform-client", Credentials);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("Registered consent directory county-cds, operated by agency harbor-house, for purpose COC.");
        output.ShouldContain("consent-directory");
        output.ShouldNotContain("Client secret");

        var held = (await HeldAsync("county-cds")).ShouldNotBeNull();
        held.Client.Kind.ShouldBe("consent-directory");
        held.Client.PurposeOfUse.ShouldBe("COC");
        held.Client.AgencyId.ShouldBe("harbor-house");
        held.Client.Scopes.ShouldBe(["system/Patient.rs", "system/Consent.rs", "system/Organization.rs"], "the provider applies a directory's default scopes");
        held.Keys.ShouldHaveSingleItem().KeyId.ShouldBe(JsonDocument.Parse(await File.ReadAllTextAsync(prefix + ".public.jwk.json")).RootElement.GetProperty("kid").GetString());
        held.JwksUrl.ShouldBeNull();
        held.HasSecret.ShouldBeFalse();
    }

    [Fact]
    public async Task Register_WithAnUnknownKind_IsAUsageError_AndNothingReachesTheProvider()
    {
        var before = await HeldIdsAsync();
        var operatorTokens = await OperatorTokensAsync();

        var (exitCode, _, error) = await Cli.RunAsync("clients", "register", "--agency", "harbor-house", "--kind", "directory", "--issue-secret",
            "--identity", IdentityUrl, "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldStartWith("error: ");
        error.ShouldContain("consent-directory");
        (await OperatorTokensAsync()).ShouldBe(operatorTokens, "no operator token was asked for");
        (await HeldIdsAsync()).ShouldBe(before, ignoreOrder: true);
    }

    [Fact]
    public async Task Register_RefusedWithAValidationProblem_PrintsEachFieldsErrors_AndExits1()
    {
        var before = await HeldIdsAsync();

        var (exitCode, output, error) = await Cli.RunAsync("clients", "register", "--agency", "Bad Agency", "--issue-secret",
            "--scope", "patient/*.read", "--identity", IdentityUrl, "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldNotContain("Registered");
        var lines = error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("error: The client registration is not valid.");
        lines.ShouldContain("  agencyId: An agency id is required: 1-64 lowercase letters, digits, '-', '_' or '.'.");
        lines.ShouldContain("  scopes: Unknown scope(s): patient/*.read. Agency clients use SMART v2 system scopes such as system/*.rs.");
        lines.Length.ShouldBe(3, error);
        (await HeldIdsAsync()).ShouldBe(before, ignoreOrder: true);
    }

    [Fact]
    public async Task Register_AnIdThatIsTaken_IsRefused_AndTheRegisteredClientIsUnchanged()
    {
        var taken = DemoClient.AgencySystemIn(identity.Host.DataDirectory, "metro-police").ClientId;
        var before = (await HeldAsync(taken)).ShouldNotBeNull();

        var (exitCode, output, error) = await Cli.RunAsync("clients", "register", "--agency", "dcf-region-4", "--client-id", taken,
            "--name", "Someone else's system", "--issue-secret", "--identity", IdentityUrl, "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldNotContain("Registered");
        output.ShouldNotContain("Client secret");
        error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)
            .ShouldBe(["error: The client registration is not valid.", "  clientId: A client with this id is already registered."]);
        var after = (await HeldAsync(taken)).ShouldNotBeNull();
        after.Client.AgencyId.ShouldBe("metro-police");
        after.Client.DisplayName.ShouldBe(before.Client.DisplayName);
        after.Client.Scopes.ShouldBe(before.Client.Scopes);
        after.Keys.Select(k => k.KeyId).ShouldBe(before.Keys.Select(k => k.KeyId));

        // Its own secret still gets it a token: nothing was issued over it.
        using var http = new HttpClient { BaseAddress = identity.BaseUrl };
        var (status, _, answer) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(http, taken,
            DemoClient.AgencySystemIn(identity.Host.DataDirectory, "metro-police").ClientSecret));
        status.ShouldBe(200, answer.ToString());
    }

    [Fact]
    public async Task Register_AKeyTheProviderDoesNotAccept_PrintsItsReason_AndRegistersNothing()
    {
        // A well-formed public JWK on P-256: SMART asks for ES384 (P-384) or RS384, and the provider says so.
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var q = ec.ExportParameters(includePrivateParameters: false).Q;
        var file = directory.File("p256.public.jwk.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = "p256", ["x"] = Base64UrlEncoder.Encode(q.X!), ["y"] = Base64UrlEncoder.Encode(q.Y!),
        }));

        var (exitCode, output, error) = await Cli.RunAsync("clients", "register", "--agency", "lighthouse-counseling", "--client-id", "lighthouse-p256",
            "--jwk", file, "--identity", IdentityUrl, "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldNotContain("Registered");
        error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)
            .ShouldBe(["error: The client registration is not valid.", "  publicJwk: Only RSA (RS384) and EC P-384 (ES384) public keys are accepted."]);
        (await HeldAsync("lighthouse-p256")).ShouldBeNull();
    }

    [Fact]
    public async Task Register_WithAPrivateKeyFile_IsRefusedBeforeAnythingIsSent()
    {
        var prefix = directory.File("oops");
        (await Cli.RunAsync("keys", "generate", "--alg", "RS384", "--out", prefix)).ExitCode.ShouldBe(ExitCodes.Ok);
        var before = await HeldIdsAsync();
        var operatorTokens = await OperatorTokensAsync();

        var (exitCode, _, error) = await Cli.RunAsync("clients", "register", "--agency", "oops", "--jwk", prefix + ".private.jwk.json",
            "--identity", IdentityUrl, "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("holds a private key");
        (await OperatorTokensAsync()).ShouldBe(operatorTokens, "no operator token was asked for");
        (await HeldIdsAsync()).ShouldBe(before, ignoreOrder: true);
    }

    [Fact]
    public async Task WrongOperatorSecret_ReportsTheTokenEndpointsError_AndExits1()
    {
        var (operatorId, _) = await OperatorAsync();
        var wrong = directory.File("platform-client.json");
        await File.WriteAllTextAsync(wrong, JsonSerializer.Serialize(new { clientId = operatorId, clientSecret = "not-it", scope = "platform/clients.manage" }));
        var operatorTokens = await OperatorTokensAsync();

        var (exitCode, output, error) = await Cli.RunAsync("clients", "list", "--identity", IdentityUrl, "--platform-client", wrong);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldContain($"refused the operator credentials of {operatorId} (401)");
        error.ShouldContain("invalid_client: The specified client credentials are invalid.");
        (await OperatorTokensAsync()).ShouldBe(operatorTokens);
    }

    [Fact]
    public async Task OperatorIdAndSecret_FromOptions_TakePrecedenceOverTheFile()
    {
        var (operatorId, operatorSecret) = await OperatorAsync();

        var (exitCode, output, error) = await Cli.RunAsync("clients", "list", "--identity", IdentityUrl,
            "--operator-id", operatorId, "--operator-secret", operatorSecret,
            "--platform-client", directory.File("does-not-exist.json"));

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain(DemoClient.AgencySystemIn(identity.Host.DataDirectory, "harbor-house").ClientId);
    }

    [Fact]
    public async Task List_PrintsATableOfTheClientsTheProviderHolds()
    {
        var (exitCode, output, error) = await Cli.RunAsync("clients", "list", "--identity", IdentityUrl, "--platform-client", Credentials);

        error.ShouldBeEmpty();
        exitCode.ShouldBe(ExitCodes.Ok);
        var rows = Rows(output);
        rows.ShouldNotBeEmpty(output);
        rows[0].ShouldBe(["Client id", "Agency", "Kind", "Purpose", "Name", "Scopes", "Key ids"]);
        var held = await HeldClientsAsync();
        rows.Skip(1).Select(row => string.Join(" | ", row)).ShouldBe(held.Select(c => string.Join(" | ",
            c.ClientId, c.AgencyId, c.Kind, c.PurposeOfUse ?? "-", c.DisplayName, string.Join(" ", c.Scopes),
            c.KeyIds.Count == 0 ? "-" : string.Join(" ", c.KeyIds))), ignoreOrder: true);

        // The seed's consent directory with its purpose; an agency system with none; the platform's own clients not at all.
        var directoryRow = rows.Single(row => row[0] == DemoSeeder.ConsentDirectoryClientId);
        directoryRow[1..4].ShouldBe(["harbor-house", "consent-directory", "COC"]);
        var systemRow = rows.Single(row => row[0] == DemoClient.AgencySystemIn(identity.Host.DataDirectory, "metro-police").ClientId);
        systemRow[1..4].ShouldBe(["metro-police", "agency-system", "-"]);
        output.ShouldNotContain(DemoSeeder.PlatformClientId);
    }

    [Fact]
    public async Task Remove_RemovesTheClientAtTheProvider_OrExits1WhenThereIsNone()
    {
        string secret;
        await using (var scope = identity.Host.Services.CreateAsyncScope())
        {
            var (registered, errors) = await scope.ServiceProvider.GetRequiredService<AgencyClientRegistrar>().RegisterAsync(
                new RegisterAgencyClient("metro-police", "metro-police-spare", null, null, null, null, IssueSecret: true), CancellationToken.None);
            secret = registered.ShouldNotBeNull(errors is null ? null : string.Join("; ", errors.SelectMany(e => e.Value))).ClientSecret.ShouldNotBeNull();
        }

        using var http = new HttpClient { BaseAddress = identity.BaseUrl };
        (await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(http, "metro-police-spare", secret))).Status.ShouldBe(200);

        var removed = await Cli.RunAsync("clients", "remove", "metro-police-spare", "--identity", IdentityUrl, "--platform-client", Credentials);
        var again = await Cli.RunAsync("clients", "remove", "metro-police-spare", "--identity", IdentityUrl, "--platform-client", Credentials);

        removed.Error.ShouldBeEmpty();
        removed.ExitCode.ShouldBe(ExitCodes.Ok);
        removed.Out.ShouldContain("Removed client metro-police-spare.");
        (await HeldIdsAsync()).ShouldNotContain("metro-police-spare");
        await using (var scope = identity.Host.Services.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().FindByClientIdAsync("metro-police-spare")).ShouldBeNull();
        }

        var (status, refusal, _) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(http, "metro-police-spare", secret));
        status.ShouldNotBe(200);
        refusal.ShouldBe("invalid_client");
        again.ExitCode.ShouldBe(ExitCodes.Failed);
        again.Error.ShouldContain("No agency client metro-police-spare is registered.");
    }

    [Fact]
    public async Task Remove_ThePlatformOperatorsOwnClient_IsNoAgencyClient_AndItStays()
    {
        var (exitCode, output, error) = await Cli.RunAsync("clients", "remove", DemoSeeder.PlatformClientId,
            "--identity", IdentityUrl, "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldContain($"No agency client {DemoSeeder.PlatformClientId} is registered.");
        await using var scope = identity.Host.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().FindByClientIdAsync(DemoSeeder.PlatformClientId)).ShouldNotBeNull();
    }

    [Fact]
    public async Task UnreachableIdentityProvider_Exits1_WithAClearMessage()
    {
        var address = AppProcess.FreeUrl().ToString();

        var (exitCode, output, error) = await Cli.RunAsync("clients", "list", "--identity", address, "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        output.ShouldBeEmpty();
        error.ShouldStartWith("error: Cannot reach the identity provider at " + address);
    }

    [Fact]
    public async Task MissingCredentials_IsAUsageError()
    {
        var (exitCode, _, error) = await Cli.RunAsync("clients", "list", "--identity", IdentityUrl,
            "--platform-client", directory.File("nowhere.json"));

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldContain("No operator credentials");
    }

    [Fact]
    public async Task PlainHttpToAnotherHost_IsRefused_SoTheSecretNeverTravelsInClear()
    {
        var (exitCode, _, error) = await Cli.RunAsync("clients", "list", "--identity", "http://identity.example/", "--platform-client", Credentials);

        exitCode.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("Refusing to send the operator secret over plain HTTP");
    }

    /// <summary>What the provider holds for a client: its registration as its admin API describes it, its keys, whether it has a secret, its JWKS URL.</summary>
    private sealed record Held(RegisteredAgencyClient Client, IReadOnlyList<JsonWebKey> Keys, bool HasSecret, string? JwksUrl);

    private async Task<Held?> HeldAsync(string clientId)
    {
        await using var scope = identity.Host.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(clientId) is not { } application ||
            await scope.ServiceProvider.GetRequiredService<AgencyClientRegistrar>().DescribeAsync(application, CancellationToken.None) is not { } client)
        {
            return null;
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application);
        return new Held(client, [.. descriptor.JsonWebKeySet?.Keys ?? []], !string.IsNullOrEmpty(descriptor.ClientSecret),
            descriptor.Properties.TryGetValue(AgencyClientRegistrar.JwksUrlProperty, out var url) ? url.GetString() : null);
    }

    /// <summary>Every agency system and consent directory the provider holds, as its admin API describes them.</summary>
    private async Task<List<RegisteredAgencyClient>> HeldClientsAsync()
    {
        await using var scope = identity.Host.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var registrar = scope.ServiceProvider.GetRequiredService<AgencyClientRegistrar>();
        var clients = new List<RegisteredAgencyClient>();
        await foreach (var application in applications.ListAsync(count: null, offset: null))
        {
            if (await registrar.DescribeAsync(application, CancellationToken.None) is { } client)
            {
                clients.Add(client);
            }
        }

        return clients;
    }

    private async Task<List<string>> HeldIdsAsync() => [.. (await HeldClientsAsync()).Select(c => c.ClientId)];

    /// <summary>The tokens the provider has issued to the platform operator's client.</summary>
    private async Task<int> OperatorTokensAsync()
    {
        await using var scope = identity.Host.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = (await applications.FindByClientIdAsync(DemoSeeder.PlatformClientId)).ShouldNotBeNull();
        var id = (await applications.GetIdAsync(application)).ShouldNotBeNull();
        var count = 0;
        await foreach (var _ in scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>().FindByApplicationIdAsync(id))
        {
            count++;
        }

        return count;
    }

    /// <summary>The operator's client id and secret, from the file the demo seed wrote.</summary>
    private async Task<(string Id, string Secret)> OperatorAsync()
    {
        var file = JsonDocument.Parse(await File.ReadAllTextAsync(Credentials)).RootElement;
        return (file.GetProperty("clientId").GetString()!, file.GetProperty("clientSecret").GetString()!);
    }

    /// <summary>The table's rows, cell by cell; a row whose first cell is empty continues the one above and is left out.</summary>
    private static List<string[]> Rows(string output) =>
    [
        .. output.Split('\n')
            .Where(line => line.TrimStart().StartsWith('│'))
            .Select(line => line.Trim().Trim('│').Split('│').Select(cell => cell.Trim()).ToArray())
            .Where(cells => cells[0].Length > 0),
    ];

    public void Dispose() => directory.Dispose();
}
