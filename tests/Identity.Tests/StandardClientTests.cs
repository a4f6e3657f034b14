using System.Security.Claims;
using Consent.TestSupport;
using Duende.IdentityModel;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Consent.Identity.Tests;

/// <summary>
/// The provider as a standard OAuth client library sees it, with that library's defaults: Duende.IdentityModel validates
/// the discovery document, sends a client assertion built by Microsoft.IdentityModel's token handler as it comes, and
/// introspects tokens as a resource server does.
/// </summary>
public sealed class StandardClientTests : IAsyncLifetime
{
    private const string OtherResourceServer = "records-gateway";
    private const string OtherResourceServerSecret = "records-gateway-secret-0123456789abcdef";

    private readonly MovableClock clock = new();
    private readonly IdentityHost host;
    private readonly HttpClient http;

    public StandardClientTests()
    {
        host = IdentityHost.With(overrides: new Dictionary<string, string?>
        {
            ["Provider:ResourceServers:0:ClientId"] = OtherResourceServer,
            ["Provider:ResourceServers:0:ClientSecret"] = OtherResourceServerSecret,
        }, services: (_, services) =>
            services.Configure<OpenIddictServerOptions>(options => options.TimeProvider = clock));
        http = host.CreateClient();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Discovery_PassesTheLibrarysValidation_AndListsExactlyWhatTheServerDoes()
    {
        var disco = await DiscoverAsync();

        disco.IsError.ShouldBeFalse(disco.Error);
        disco.Issuer.ShouldBe(IdentityHost.Issuer);
        disco.TokenEndpoint.ShouldBe(IdentityHost.TokenEndpoint);
        disco.IntrospectionEndpoint.ShouldBe(IdentityHost.Issuer + "connect/introspect");
        disco.RevocationEndpoint.ShouldBe(IdentityHost.Issuer + "connect/revoke");
        disco.JwksUri.ShouldNotBeNullOrEmpty();
        disco.KeySet!.Keys.ShouldNotBeEmpty();
        disco.GrantTypesSupported.Order().ShouldBe(["authorization_code", "client_credentials", "refresh_token"]);
        disco.TokenEndpointAuthenticationMethodsSupported.ShouldContain("private_key_jwt");
        disco.TokenEndpointAuthenticationMethodsSupported.ShouldContain("client_secret_basic");
        disco.TryGetStringArray("token_endpoint_auth_signing_alg_values_supported").Order().ShouldBe(["ES384", "RS384"]);
        disco.CodeChallengeMethodsSupported.ShouldBe(["S256"]);
        disco.TryGetStringArray("introspection_endpoint_auth_methods_supported").ShouldContain("client_secret_basic");
        disco.ScopesSupported.ShouldContain("system/*.rs");
    }

    [Theory]
    [InlineData("harbor-house")]
    [InlineData("bridge-legal")]
    public async Task ClientCredentials_WithAnAssertionFromTheLibrarysDefaultBuilder_GetsAToken(string agencyId)
    {
        var client = host.Client(agencyId);
        var disco = await DiscoverAsync();

        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = client.ClientId,
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            ClientAssertion = new ClientAssertion { Type = OidcConstants.ClientAssertionTypes.JwtBearer, Value = DefaultAssertion(client, disco.TokenEndpoint!) },
            Scope = "system/Patient.rs",
        });

        response.IsError.ShouldBeFalse(response.Error + " " + response.ErrorDescription);
        response.ExpiresIn.ShouldBeLessThanOrEqualTo(300);
        new JsonWebToken(response.AccessToken).GetClaim("agency_id").Value.ShouldBe(agencyId);
    }

    [Fact]
    public void TheDefaultBuilder_WritesTheGenericType_WhichIsWhyItMustBeAccepted()
    {
        var client = host.Client("harbor-house");
        new JsonWebToken(DefaultAssertion(client, IdentityHost.TokenEndpoint)).Typ.ShouldBe("JWT");
    }

    [Fact]
    public async Task Introspection_ByTheConsentApi_ActiveRevokedAndExpired()
    {
        var disco = await DiscoverAsync();
        var agencyToken = await TokenRequests.AgencyTokenAsync(http, host.Client("harbor-house"));

        var active = await IntrospectAsync(disco, agencyToken);
        active.IsError.ShouldBeFalse(active.Error);
        active.IsActive.ShouldBeTrue();
        active.Claims.ShouldContain(claim => claim.Type == "agency_id" && claim.Value == "harbor-house");
        active.Claims.ShouldContain(claim => claim.Type == "client_id" && claim.Value == host.Client("harbor-house").ClientId);

        // A person's access token, revoked by the portal that holds it (as its sign-out and quick exit do).
        var userTokens = await TokenRequests.UserTokensAsync(host, "demo-survivor");
        var userAccessToken = userTokens.GetProperty("access_token").GetString()!;
        (await IntrospectAsync(disco, userAccessToken)).IsActive.ShouldBeTrue();
        var revocation = await http.RevokeTokenAsync(new TokenRevocationRequest
        {
            Address = disco.RevocationEndpoint,
            ClientId = "consent-portal",
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Token = userAccessToken,
            TokenTypeHint = OidcConstants.TokenTypes.AccessToken,
        });
        revocation.IsError.ShouldBeFalse(revocation.Error);
        var revoked = await IntrospectAsync(disco, userAccessToken);
        revoked.IsError.ShouldBeFalse(revoked.Error);
        revoked.IsActive.ShouldBeFalse();
        revoked.Claims.ShouldNotContain(claim => claim.Type == "sub", "an inactive token's answer says nothing about it");

        // Past its five minutes.
        clock.Ahead = TimeSpan.FromMinutes(6);
        var expired = await IntrospectAsync(disco, agencyToken);
        expired.IsError.ShouldBeFalse(expired.Error);
        expired.IsActive.ShouldBeFalse();
    }

    [Fact]
    public async Task Introspection_ByAnAgencySystem_IsRefused()
    {
        var disco = await DiscoverAsync();
        var agency = host.Client("northside-clinic");
        var token = await TokenRequests.AgencyTokenAsync(http, host.Client("harbor-house"));

        var answer = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = agency.ClientId,
            ClientSecret = agency.ClientSecret,
            Token = token,
        });

        answer.IsError.ShouldBeTrue("only resource servers introspect");
        answer.IsActive.ShouldBeFalse();
    }

    [Fact]
    public async Task AnotherResourceServer_RegisteredInConfiguration_Introspects_ButLearnsNothingOfTokensForTheApi()
    {
        var disco = await DiscoverAsync();
        var token = await TokenRequests.AgencyTokenAsync(http, host.Client("harbor-house"));

        var answer = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = OtherResourceServer,
            ClientSecret = OtherResourceServerSecret,
            Token = token,
        });

        // Authenticated (an unregistered caller gets an error), but a token addressed to the consent API is not one it
        // may learn about: RFC 7662 §4 lets the server answer inactive to a resource server outside the token's audience.
        answer.IsError.ShouldBeFalse(answer.Error);
        answer.IsActive.ShouldBeFalse();
        var stranger = await http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = "not-registered",
            ClientSecret = OtherResourceServerSecret,
            Token = token,
        });
        stranger.IsError.ShouldBeTrue();

        // It may introspect and nothing else: no tokens of its own.
        var own = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = disco.TokenEndpoint,
            ClientId = OtherResourceServer,
            ClientSecret = OtherResourceServerSecret,
        });
        own.IsError.ShouldBeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("too-short")]
    public async Task WithoutTheApisIntrospectionSecret_TheProviderDoesNotStart_AndSaysWhy(string? secret)
    {
        await using var unconfigured = IdentityHost.With(overrides: new Dictionary<string, string?> { ["Provider:Api:ClientSecret"] = secret });

        var failure = Should.Throw<Exception>(() => unconfigured.Server);

        failure.ToString().ShouldContain("Provider:Api:ClientSecret must be set");
    }

    private Task<TokenIntrospectionResponse> IntrospectAsync(DiscoveryDocumentResponse disco, string token) =>
        http.IntrospectTokenAsync(new TokenIntrospectionRequest
        {
            Address = disco.IntrospectionEndpoint,
            ClientId = "consent-api",
            ClientSecret = IdentityHost.ApiIntrospectionSecret,
            Token = token,
        });

    private Task<DiscoveryDocumentResponse> DiscoverAsync() =>
        http.GetDiscoveryDocumentAsync(new DiscoveryDocumentRequest
        {
            Address = IdentityHost.Issuer,
            Policy = { RequireHttps = false },
        });

    /// <summary>A client assertion as Microsoft.IdentityModel builds it with its defaults (typ JWT, iat and nbf set).</summary>
    private DefaultAssertionBuilder Builder { get; } = new();

    private string DefaultAssertion(DemoClient client, string tokenEndpoint) => Builder.Build(client, tokenEndpoint, clock.GetUtcNow());

    private sealed class DefaultAssertionBuilder
    {
        public string Build(DemoClient client, string tokenEndpoint, DateTimeOffset now) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = client.ClientId,
            Audience = tokenEndpoint,
            Subject = new ClaimsIdentity([new Claim("sub", client.ClientId), new Claim("jti", Guid.NewGuid().ToString())]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(1).UtcDateTime,
            SigningCredentials = new SigningCredentials(ClientAssertions.PrivateKey(client), client.Algorithm),
        });
    }
}
