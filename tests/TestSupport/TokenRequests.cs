using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;

namespace Consent.TestSupport;

/// <summary>Token endpoint calls as an agency system or the portal makes them.</summary>
public static class TokenRequests
{
    public const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static Task<HttpResponseMessage> ClientCredentialsWithAssertion(HttpClient http, string clientId, string assertion, string scope = "system/*.rs") =>
        http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = scope,
            ["client_id"] = clientId,
            ["client_assertion_type"] = AssertionType,
            ["client_assertion"] = assertion,
        }));

    public static Task<HttpResponseMessage> ClientCredentialsWithSecret(HttpClient http, string clientId, string secret, string scope = "system/*.rs") =>
        http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = scope,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));

    public static async Task<string> AgencyTokenAsync(HttpClient http, DemoClient client, string scope = "system/*.rs",
        string tokenEndpoint = IdentityHost.TokenEndpoint)
    {
        var response = await ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client, tokenEndpoint), scope);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Token request failed: {body}");
        }

        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Redeems an authorization code as the portal does.</summary>
    public static async Task<(int Status, string? Error, JsonElement Body)> RedeemCodeAsync(HttpClient http, string code, string verifier,
        string redirectUri = IdentityHost.PortalRedirectUri) =>
        await ReadAsync(await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = BrowserLogin.PortalClientId,
            ["code_verifier"] = verifier,
        })));

    /// <summary>Signs a demo user in through the login form and returns the token response.</summary>
    public static async Task<JsonElement> UserTokensAsync(IdentityHost host, string userName)
    {
        var browser = host.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(host.User(userName), challenge);
        var (status, _, body) = await RedeemCodeAsync(browser, code, verifier);
        return status == 200 ? body : throw new InvalidOperationException($"Code redemption failed: {body}");
    }

    /// <summary>Asks for a token with <paramref name="scope"/> and checks it is refused as invalid_scope, with no token in the answer.</summary>
    public static async Task ShouldRefuseScopeAsync(HttpClient http, DemoClient client, string scope)
    {
        var response = await ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client), scope);
        var (status, error, body) = await ReadAsync(response);
        status.ShouldBe(400, body.ToString());
        error.ShouldBe("invalid_scope");
        body.TryGetProperty("access_token", out _).ShouldBeFalse();
    }

    public static async Task<(int Status, string? Error, JsonElement Body)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        var error = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var e) ? e.GetString() : null;
        return ((int)response.StatusCode, error, body);
    }
}
