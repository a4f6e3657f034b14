using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Consent.Identity.Data;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Consent.Identity.Tests;

/// <summary>A platform admin suspends an agency: its systems get no tokens, its staff cannot sign in or refresh.</summary>
public sealed class AgencySuspensionTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task SuspendedAgency_ItsClientGetsInvalidClient_UntilReactivated()
    {
        var http = host.CreateClient();
        var client = host.Client("bridge-legal");

        var suspended = await SetStatusAsync(await OperatorTokenAsync(), "bridge-legal", new { active = false });
        suspended.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await suspended.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("agencyId").GetString().ShouldBe("bridge-legal");
        body.GetProperty("active").GetBoolean().ShouldBeFalse();

        await ClientCredentialsTests.ShouldBeRejected(
            await TokenRequests.ClientCredentialsWithAssertion(http, client.ClientId, ClientAssertions.Create(client)), "invalid_client");
        await ClientCredentialsTests.ShouldBeRejected(
            await TokenRequests.ClientCredentialsWithSecret(http, client.ClientId, client.ClientSecret), "invalid_client");

        // Other agencies are not affected.
        var other = host.Client("metro-police");
        (await TokenRequests.ClientCredentialsWithSecret(http, other.ClientId, other.ClientSecret)).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await SetStatusAsync(await OperatorTokenAsync(), "bridge-legal", new { active = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await TokenRequests.ClientCredentialsWithSecret(http, client.ClientId, client.ClientSecret)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SuspendedAgency_ItsStaffCannotRefresh_SignIn_OrUseTheirSession()
    {
        var browser = host.CreateBrowser();
        var (verifier, challenge) = BrowserLogin.Pkce();
        var clinicAdmin = host.User("demo-clinic-admin");
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(clinicAdmin, challenge);
        var refresh = (await TokenRequests.RedeemCodeAsync(browser, code, verifier)).Body.GetProperty("refresh_token").GetString()!;

        (await SetStatusAsync(await OperatorTokenAsync(), "northside-clinic", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            var (status, error, body) = await TokenRequests.ReadAsync(await browser.PostAsync("/connect/token", new FormUrlEncodedContent(
                new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["client_id"] = BrowserLogin.PortalClientId })));
            status.ShouldBe(400);
            error.ShouldBe("invalid_grant");
            body.TryGetProperty("access_token", out _).ShouldBeFalse();

            // The open session no longer yields a code.
            BrowserLogin.Location(await browser.GetAsync(BrowserLogin.AuthorizeUrl(BrowserLogin.Pkce().Challenge))).ShouldContain("/account/login");

            // The right password gets the same answer as an unknown user name.
            var login = new BrowserLogin(host.CreateBrowser());
            var (refused, refusedHtml) = await login.PostFormAsync("/account/login", new() { ["UserName"] = clinicAdmin.UserName, ["Password"] = clinicAdmin.Password });
            var (_, unknownHtml) = await login.PostFormAsync("/account/login", new() { ["UserName"] = "nobody-at-all", ["Password"] = clinicAdmin.Password });
            refused.StatusCode.ShouldBe(HttpStatusCode.OK);
            refused.Headers.Location.ShouldBeNull();
            Text(refusedHtml).ShouldBe(Text(unknownHtml));
            Text(refusedHtml).ShouldNotContain("suspend", Case.Insensitive);
        }
        finally
        {
            (await SetStatusAsync(await OperatorTokenAsync(), "northside-clinic", new { active = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // Reactivated: the password leads to the code page again.
        (await new BrowserLogin(host.CreateBrowser()).SubmitLoginAsync("/account/login", clinicAdmin)).ShouldStartWith("/account/mfa");
    }

    [Fact]
    public async Task StatusChange_IsForPlatformAdminsOnly()
    {
        var http = host.CreateClient();
        (await SetStatusAsync(null, "harbor-house", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var agencyToken = await TokenRequests.AgencyTokenAsync(http, host.Client("harbor-house"));
        (await SetStatusAsync(agencyToken, "harbor-house", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var survivorToken = (await TokenRequests.UserTokensAsync(host, "demo-survivor")).GetProperty("access_token").GetString()!;
        (await SetStatusAsync(survivorToken, "harbor-house", new { active = false })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // Nothing was suspended by the refused calls.
        using var scope = host.Services.CreateScope();
        (await scope.ServiceProvider.GetRequiredService<IdentityDb>().SuspendedAgencies.AnyAsync(a => a.AgencyId == "harbor-house")).ShouldBeFalse();
    }

    [Fact]
    public async Task MalformedStatusChange_IsAProblemPerField()
    {
        var token = await OperatorTokenAsync();
        var missing = await SetStatusAsync(token, "harbor-house", new { });
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        missing.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("type").GetString().ShouldBe("https://consent.example/problems/invalid-agency-status");
        problem.GetProperty("errors").TryGetProperty("active", out _).ShouldBeTrue();

        var badId = await SetStatusAsync(token, "Not-An-Id!", new { active = false });
        badId.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badId.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("agencyId", out _).ShouldBeTrue();
        (await badId.Content.ReadAsStringAsync()).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task PlatformAdminsToken_ForTheAdminApi_OrForTheConsentApi_MayChangeTheStatus()
    {
        var admin = (await TokenRequests.UserTokensAsync(host, "demo-platform-admin")).GetProperty("access_token").GetString()!;
        (await SetStatusAsync(admin, "dcf-region-4", new { active = true })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The consent API forwards the admin's token, which may be addressed to it alone.
        var forConsentApi = ReissueForConsentApiOnly(admin);
        new JsonWebToken(forConsentApi).Audiences.ShouldBe(["consent-api"]);
        var response = await SetStatusAsync(forConsentApi, "dcf-region-4", new { active = true });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The same claims, signed with the provider's own key, but addressed only to the consent API.</summary>
    private string ReissueForConsentApiOnly(string accessToken)
    {
        var original = new JsonWebToken(accessToken);
        var options = host.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        var claims = original.Claims.Where(c => c.Type is not ("aud" or "jti"))
            .GroupBy(c => c.Type)
            .ToDictionary(g => g.Key, g => g.Count() == 1 ? (object)ClaimValue(g.Single()) : g.Select(ClaimValue).ToArray());
        claims["aud"] = "consent-api";
        claims["jti"] = Guid.NewGuid().ToString("n");
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = options.SigningCredentials.First(),
            TokenType = "at+jwt",
        });
    }

    private static object ClaimValue(System.Security.Claims.Claim claim) =>
        claim.ValueType == "http://www.w3.org/2001/XMLSchema#integer" || claim.ValueType.EndsWith("integer64", StringComparison.Ordinal)
            ? long.Parse(claim.Value, System.Globalization.CultureInfo.InvariantCulture)
            : claim.Value;

    private static string Text(string html) => new HtmlParser().ParseDocument(html).Body!.TextContent;

    private async Task<HttpResponseMessage> SetStatusAsync(string? token, string agencyId, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/clients/agencies/{agencyId}/status") { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await host.CreateClient().SendAsync(request);
    }

    private async Task<string> OperatorTokenAsync()
    {
        var platform = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "demo", "platform-client.json"))).RootElement;
        var (status, _, token) = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithSecret(host.CreateClient(),
            platform.GetProperty("clientId").GetString()!, platform.GetProperty("clientSecret").GetString()!, "platform/clients.manage"));
        status.ShouldBe(200, token.ToString());
        return token.GetProperty("access_token").GetString()!;
    }
}
