using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Consent.Identity.Clients;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using DemoAgencies = Consent.Policies.DemoAgencies;
using PurposesOfUse = Consent.Policies.PurposesOfUse;

namespace Consent.Identity.Seeding;

/// <summary>
/// Demo agencies' API clients, a consent directory operated by Harbor House, and one user per role, so a newcomer can
/// sign in and call the API at once. Credentials are generated per installation and written to <c>demo/clients.json</c>
/// and <c>demo/users.json</c> in the data directory — in Development only.
/// </summary>
public sealed partial class DemoSeeder(
    UserManager<PlatformUser> users,
    AgencyClientRegistrar registrar,
    IOpenIddictApplicationManager applications,
    IHostEnvironment environment,
    ILogger<DemoSeeder> logger)
{
    public const string SurvivorUserName = "demo-survivor";
    public const string PlatformClientId = "consent-platform";
    public const string ConsentDirectoryClientId = "harbor-house-consent-directory";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task RunAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (await users.FindByNameAsync(SurvivorUserName) is not null)
        {
            return;
        }

        var clients = new List<DemoClient>();
        var index = 0;
        foreach (var (agencyId, name, _) in DemoAgencies.All)
        {
            // Alternate key types so both SMART algorithms are exercised by the demo.
            var useEc = index++ % 2 == 1;
            var (publicJwk, privateJwk, privatePem) = useEc ? CreateEcKey() : CreateRsaKey();
            var (client, errors) = await registrar.RegisterAsync(new RegisterAgencyClient(
                agencyId, $"{agencyId}-system", $"{name} case system", publicJwk, null, null, IssueSecret: true), cancellationToken);
            if (client is null)
            {
                throw new InvalidOperationException("Demo client registration failed: " + string.Join("; ", errors!.SelectMany(e => e.Value)));
            }

            clients.Add(new DemoClient(client.ClientId, agencyId, client.Kind, null, client.ClientSecret!, privateJwk, useEc ? "ES384" : "RS384", privatePem));
        }

        // The directory authenticates by its key alone (no secret), as consent decision services do.
        var (directoryPublicJwk, directoryPrivateJwk, directoryPem) = CreateRsaKey();
        var (directory, directoryErrors) = await registrar.RegisterAsync(new RegisterAgencyClient(
            "harbor-house", ConsentDirectoryClientId, "County consent directory (operated by Harbor House)", directoryPublicJwk, null, null,
            Kind: ClientKinds.ConsentDirectory, PurposeOfUse: PurposesOfUse.CoordinationOfCare), cancellationToken);
        if (directory is null)
        {
            throw new InvalidOperationException("Demo consent directory registration failed: " + string.Join("; ", directoryErrors!.SelectMany(e => e.Value)));
        }

        clients.Add(new DemoClient(directory.ClientId, directory.AgencyId, directory.Kind, directory.PurposeOfUse, null, directoryPrivateJwk, "RS384", directoryPem));

        var platformSecret = Secret();
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = PlatformClientId,
            ClientSecret = platformSecret,
            ClientType = ClientTypes.Confidential,
            DisplayName = "Platform operator",
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.Prefixes.Scope + PlatformScopes.ManageClients,
            },
        }, cancellationToken);

        var demoUsers = new List<DemoUser>
        {
            await CreateUserAsync(SurvivorUserName, Roles.Survivor, agencyId: null, survivorId: "sv-1001", mfa: false),
            await CreateUserAsync("demo-advocate", Roles.Advocate, "harbor-house", null, mfa: true),
            await CreateUserAsync("demo-compliance", Roles.Compliance, "harbor-house", null, mfa: true),
            await CreateUserAsync("demo-shelter-admin", Roles.AgencyAdmin, "harbor-house", null, mfa: true),
            await CreateUserAsync("demo-clinic-admin", Roles.AgencyAdmin, "northside-clinic", null, mfa: true),
            await CreateUserAsync("demo-platform-admin", Roles.PlatformAdmin, agencyId: null, survivorId: null, mfa: true),
        };

        if (!environment.IsDevelopment())
        {
            LogNotWritten(logger, environment.EnvironmentName);
            return;
        }

        var demoDirectory = Path.Combine(dataDirectory, "demo");
        Directory.CreateDirectory(demoDirectory);
        await WriteSecretFileAsync(Path.Combine(demoDirectory, "clients.json"), clients, cancellationToken);
        await WriteSecretFileAsync(Path.Combine(demoDirectory, "users.json"), demoUsers, cancellationToken);
        await WriteSecretFileAsync(Path.Combine(demoDirectory, "platform-client.json"),
            new { clientId = PlatformClientId, clientSecret = platformSecret, scope = PlatformScopes.ManageClients }, cancellationToken);
        LogSeeded(logger, clients.Count, demoUsers.Count);
    }

    private async Task<DemoUser> CreateUserAsync(string userName, string role, string? agencyId, string? survivorId, bool mfa)
    {
        var password = Password();
        var user = new PlatformUser { UserName = userName, AgencyId = agencyId, SurvivorId = survivorId, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role));
        string? totp = null;
        if (mfa)
        {
            Check(await users.ResetAuthenticatorKeyAsync(user));
            totp = await users.GetAuthenticatorKeyAsync(user);
            Check(await users.SetTwoFactorEnabledAsync(user, true));
        }

        return new DemoUser(userName, password, role, agencyId, survivorId, totp);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Demo user creation failed: " + string.Join("; ", result.Errors.Select(e => e.Code)));
        }
    }

    private static async Task WriteSecretFileAsync<T>(string path, T content, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(content, Json), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static string Secret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Meets the password policy: length, upper, lower, digit, symbol.</summary>
    private static string Password() => "Dm!" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(9)) + "7a";

    private static (JsonElement Public, Dictionary<string, string> Private, string Pem) CreateRsaKey()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(8));
        var publicJwk = JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["kid"] = kid, ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!),
        });
        var privateJwk = new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["kid"] = kid, ["alg"] = "RS384", ["use"] = "sig",
            ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!), ["d"] = B64(p.D!), ["p"] = B64(p.P!), ["q"] = B64(p.Q!),
            ["dp"] = B64(p.DP!), ["dq"] = B64(p.DQ!), ["qi"] = B64(p.InverseQ!),
        };
        return (publicJwk, privateJwk, rsa.ExportPkcs8PrivateKeyPem());
    }

    private static (JsonElement Public, Dictionary<string, string> Private, string Pem) CreateEcKey()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p = ec.ExportParameters(includePrivateParameters: true);
        var kid = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(8));
        var publicJwk = JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["kty"] = "EC", ["kid"] = kid, ["crv"] = "P-384", ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!),
        });
        var privateJwk = new Dictionary<string, string>
        {
            ["kty"] = "EC", ["kid"] = kid, ["alg"] = "ES384", ["use"] = "sig", ["crv"] = "P-384",
            ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!), ["d"] = B64(p.D!),
        };
        return (publicJwk, privateJwk, ec.ExportPkcs8PrivateKeyPem());
    }

    private static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    /// <summary>
    /// The private key twice: as a JWK for JOSE libraries, as PEM for openssl. A consent directory names its purpose of
    /// use and has no secret; an agency system has a secret and no purpose.
    /// </summary>
    private sealed record DemoClient(
        string ClientId,
        string AgencyId,
        string Kind,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PurposeOfUse,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret,
        Dictionary<string, string> PrivateJwk,
        string Algorithm,
        string PrivateKeyPem);

    private sealed record DemoUser(string UserName, string Password, string Role, string? AgencyId, string? SurvivorId, string? TotpSecret);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Demo data seeded: {Clients} system clients, {Users} users")]
    private static partial void LogSeeded(ILogger logger, int clients, int users);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Demo data seeded in {Environment}: credential files are written only in Development")]
    private static partial void LogNotWritten(ILogger logger, string environment);
}
