using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using PurposesOfUse = Consent.Policies.PurposesOfUse;

namespace Consent.Identity.Clients;

/// <summary>
/// Registers system clients, agency systems and consent directories (<see cref="ClientKinds"/>), as OAuth clients:
/// client_credentials only, authenticated by <c>private_key_jwt</c> with the agency's public key (or, for simple
/// setups, a client secret), limited to SMART system scopes, and carrying the agency id, the kind and a directory's
/// purpose of use that every token of the client will state.
/// </summary>
public sealed partial class AgencyClientRegistrar(
    IOpenIddictApplicationManager applications,
    IHttpClientFactory httpClients,
    IHostEnvironment environment)
{
    public const string AgencyIdProperty = "agency_id";
    public const string JwksUrlProperty = "jwks_url";
    public const string ClientKindProperty = "client_kind";
    public const string PurposeOfUseProperty = "purpose_of_use";

    public async Task<(RegisteredAgencyClient? Client, Dictionary<string, string[]>? Errors)> RegisterAsync(
        RegisterAgencyClient request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.AgencyId) || !IdPattern().IsMatch(request.AgencyId))
        {
            errors["agencyId"] = ["An agency id is required: 1-64 lowercase letters, digits, '-', '_' or '.'."];
        }

        // A generated id derives from the agency id: only a client id the caller sent is reported on.
        var clientId = string.IsNullOrWhiteSpace(request.ClientId)
            ? $"{request.AgencyId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}"
            : request.ClientId;
        if (!string.IsNullOrWhiteSpace(request.ClientId) && !IdPattern().IsMatch(clientId))
        {
            errors["clientId"] = ["A client id is 1-64 lowercase letters, digits, '-', '_' or '.'."];
        }

        var kind = request.Kind ?? ClientKinds.AgencySystem;
        var directory = kind == ClientKinds.ConsentDirectory;
        if (!ClientKinds.All.Contains(kind))
        {
            errors["kind"] = [$"The kind is {ClientKinds.AgencySystem} (the default) or {ClientKinds.ConsentDirectory}."];
        }

        if (directory && string.IsNullOrEmpty(request.PurposeOfUse))
        {
            errors["purposeOfUse"] = ["A consent directory is registered with the purpose of use it reads for, e.g. COC or TREAT."];
        }
        else if (directory && !ClientKinds.PurposeOfUseCode().IsMatch(request.PurposeOfUse!))
        {
            errors["purposeOfUse"] = ["A purpose of use is one code of 2-32 uppercase letters, digits or '-', e.g. COC, TREAT or CAREMGT."];
        }
        else if (directory && !PurposesOfUse.IsKnown(request.PurposeOfUse))
        {
            // The sharing policy's own list: a directory registered with any other code could never read anything.
            errors["purposeOfUse"] = ["One of the platform's purposes of use: " + string.Join(", ", PurposesOfUse.All) + "."];
        }
        else if (!directory && request.PurposeOfUse is not null)
        {
            errors["purposeOfUse"] = ["Only a consent directory is registered with a purpose of use; an agency system states one with each request."];
        }

        var scopes = request.Scopes is { Count: > 0 }
            ? request.Scopes.Distinct(StringComparer.Ordinal).ToList()
            : [.. directory ? PlatformScopes.ConsentDirectory : PlatformScopes.AgencyDefault];
        var unknown = scopes.Where(scope => !(directory ? PlatformScopes.ConsentDirectory : PlatformScopes.Smart).Contains(scope)).ToList();
        if (unknown.Count > 0)
        {
            errors["scopes"] = directory
                ? [$"Not a consent directory's scope: {string.Join(", ", unknown)}. A consent directory reads patients, consents and organizations only: {string.Join(", ", PlatformScopes.ConsentDirectory)}."]
                : [$"Unknown scope(s): {string.Join(", ", unknown)}. Agency clients use SMART v2 system scopes such as system/*.rs."];
        }

        if (request.PublicJwk is not null && request.JwksUrl is not null)
        {
            errors["publicJwk"] = ["Give either a public JWK or a JWKS URL, not both."];
        }
        else if (request.PublicJwk is null && request.JwksUrl is null && !request.IssueSecret)
        {
            errors["publicJwk"] = ["A public JWK, a JWKS URL or issueSecret=true is required."];
        }

        var keys = new List<JsonWebKey>();
        if (errors.Count == 0 && request.PublicJwk is { } jwk)
        {
            if (PublicKey(jwk.GetRawText(), out var key, out var problem))
            {
                keys.Add(key!);
            }
            else
            {
                errors["publicJwk"] = [problem!];
            }
        }
        else if (errors.Count == 0 && request.JwksUrl is { } url)
        {
            var (fetched, problem) = await FetchJwksAsync(url, cancellationToken);
            if (problem is not null)
            {
                errors["jwksUrl"] = [problem];
            }
            else
            {
                keys.AddRange(fetched);
            }
        }

        if (errors.Count == 0 && await applications.FindByClientIdAsync(clientId, cancellationToken) is not null)
        {
            errors["clientId"] = ["A client with this id is already registered."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var secret = request.IssueSecret ? Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)) : null;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? clientId : request.DisplayName.Trim(),
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.ClientCredentials,
            },
        };
        if (keys.Count > 0)
        {
            descriptor.JsonWebKeySet = new JsonWebKeySet();
            foreach (var key in keys)
            {
                descriptor.JsonWebKeySet.Keys.Add(key);
            }
        }

        foreach (var scope in scopes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        descriptor.Permissions.Add(Permissions.Prefixes.Scope + PlatformScopes.ConsentApi);
        descriptor.Properties[AgencyIdProperty] = JsonSerializer.SerializeToElement(request.AgencyId);
        descriptor.Properties[ClientKindProperty] = JsonSerializer.SerializeToElement(kind);
        if (directory)
        {
            descriptor.Properties[PurposeOfUseProperty] = JsonSerializer.SerializeToElement(request.PurposeOfUse);
        }

        if (request.JwksUrl is not null)
        {
            descriptor.Properties[JwksUrlProperty] = JsonSerializer.SerializeToElement(request.JwksUrl);
        }

        await applications.CreateAsync(descriptor, cancellationToken);
        return (new RegisteredAgencyClient(clientId, request.AgencyId, kind, directory ? request.PurposeOfUse : null,
            descriptor.DisplayName, scopes, keys.Select(k => k.KeyId).ToList(), secret), null);
    }

    /// <summary>
    /// Replaces a registered system's keys with one new public key (checked as at registration). Answers neither a
    /// client nor errors when there is no such system, or <paramref name="mayManage"/> refuses it.
    /// </summary>
    public async Task<(RegisteredAgencyClient? Client, Dictionary<string, string[]>? Errors)> ReplaceKeyAsync(
        string clientId, ReplaceAgencyClientKey request, Func<AgencyClientProperties, bool> mayManage, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        var registration = application is null ? null : AgencyClientProperties.Read(await applications.GetPropertiesAsync(application, cancellationToken));
        if (application is null || registration is null || !mayManage(registration))
        {
            return (null, null);
        }

        if (request.PublicJwk is not { ValueKind: JsonValueKind.Object } jwk)
        {
            return (null, new() { ["publicJwk"] = ["A public JWK is required."] });
        }

        if (!PublicKey(jwk.GetRawText(), out var key, out var problem))
        {
            return (null, new() { ["publicJwk"] = [problem!] });
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application, cancellationToken);
        descriptor.JsonWebKeySet = new JsonWebKeySet();
        descriptor.JsonWebKeySet.Keys.Add(key!);
        descriptor.Properties.Remove(JwksUrlProperty);
        await applications.UpdateAsync(application, descriptor, cancellationToken);
        return (await DescribeAsync(application, cancellationToken), null);
    }

    /// <summary>A registered system as the admin API shows it (never its secret).</summary>
    public async Task<RegisteredAgencyClient?> DescribeAsync(object application, CancellationToken cancellationToken)
    {
        if (AgencyClientProperties.Read(await applications.GetPropertiesAsync(application, cancellationToken)) is not { } registration)
        {
            return null;
        }

        var permissions = await applications.GetPermissionsAsync(application, cancellationToken);
        var keySet = await applications.GetJsonWebKeySetAsync(application, cancellationToken);
        return new RegisteredAgencyClient(
            (await applications.GetClientIdAsync(application, cancellationToken))!,
            registration.AgencyId,
            registration.Kind,
            registration.PurposeOfUse,
            (await applications.GetDisplayNameAsync(application, cancellationToken)) ?? "",
            permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
                .Select(p => p[Permissions.Prefixes.Scope.Length..])
                .Where(scope => scope != PlatformScopes.ConsentApi)
                .ToList(),
            keySet?.Keys.Select(k => k.KeyId).ToList() ?? [],
            ClientSecret: null);
    }

    /// <summary>Accepts only public RSA (2048 bits or more) and EC P-384 keys; a private part is refused.</summary>
    internal static bool PublicKey(string json, out JsonWebKey? key, out string? problem)
    {
        key = null;
        JsonWebKey parsed;
        try
        {
            parsed = new JsonWebKey(json);
        }
        catch (ArgumentException)
        {
            problem = "The JWK is not valid JSON Web Key syntax.";
            return false;
        }

        return PublicKey(parsed, out key, out problem);
    }

    internal static bool PublicKey(JsonWebKey parsed, out JsonWebKey? key, out string? problem)
    {
        key = null;
        if (parsed.HasPrivateKey || !string.IsNullOrEmpty(parsed.D))
        {
            problem = "Send only the public part of the key; the private key never leaves the agency.";
            return false;
        }

        switch (parsed.Kty)
        {
            case JsonWebAlgorithmsKeyTypes.RSA when !string.IsNullOrEmpty(parsed.N) && !string.IsNullOrEmpty(parsed.E):
                if (Base64UrlEncoder.DecodeBytes(parsed.N).Length * 8 < 2048)
                {
                    problem = "RSA keys must be at least 2048 bits.";
                    return false;
                }

                key = new JsonWebKey { Kty = parsed.Kty, N = parsed.N, E = parsed.E, Use = "sig", Alg = "RS384" };
                break;
            case JsonWebAlgorithmsKeyTypes.EllipticCurve when parsed.Crv == "P-384" && !string.IsNullOrEmpty(parsed.X) && !string.IsNullOrEmpty(parsed.Y):
                key = new JsonWebKey { Kty = parsed.Kty, Crv = parsed.Crv, X = parsed.X, Y = parsed.Y, Use = "sig", Alg = "ES384" };
                break;
            default:
                problem = "Only RSA (RS384) and EC P-384 (ES384) public keys are accepted.";
                return false;
        }

        key.KeyId = string.IsNullOrWhiteSpace(parsed.Kid) ? Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()) : parsed.Kid;
        problem = null;
        return true;
    }

    private async Task<(List<JsonWebKey> Keys, string? Problem)> FetchJwksAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) ||
            !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || environment.IsDevelopment()))))
        {
            return ([], "The JWKS URL must be an absolute https URL.");
        }

        string body;
        try
        {
            using var client = httpClients.CreateClient(nameof(AgencyClientRegistrar));
            client.Timeout = TimeSpan.FromSeconds(10);
            body = await client.GetStringAsync(uri, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return ([], "The JWKS URL could not be read.");
        }

        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(body);
        }
        catch (ArgumentException)
        {
            return ([], "The JWKS URL did not return a JSON Web Key Set.");
        }

        var keys = new List<JsonWebKey>();
        foreach (var candidate in set.Keys)
        {
            if (!PublicKey(candidate, out var key, out var problem))
            {
                return ([], $"Key {candidate.KeyId}: {problem}");
            }

            keys.Add(key!);
        }

        return keys.Count == 0 ? ([], "The JWKS holds no key.") : (keys, null);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();
}
