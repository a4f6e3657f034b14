using System.Net;
using System.Security.Cryptography;
using System.Text;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;
using OtpNet;

namespace Consent.TestSupport;

/// <summary>
/// Drives the authorization code flow the way a browser does: authorize request, the real login form
/// (with its antiforgery token), the TOTP page for staff, and back to the redirect URI with a code.
/// </summary>
public sealed class BrowserLogin(HttpClient browser)
{
    public const string PortalClientId = "consent-portal";
    public const string PortalScopes = "openid profile roles offline_access consent-api";

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return (verifier, challenge);
    }

    public static string AuthorizeUrl(string challenge, string redirectUri = IdentityHost.PortalRedirectUri,
        string method = "S256", string clientId = PortalClientId, string scope = PortalScopes)
    {
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["scope"] = scope,
            ["state"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(8)),
            ["nonce"] = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(8)),
        };
        if (!string.IsNullOrEmpty(challenge))
        {
            query["code_challenge"] = challenge;
            query["code_challenge_method"] = method;
        }

        return QueryHelpers.AddQueryString("/connect/authorize", query);
    }

    /// <summary>Signs in through the login form (when the provider has no session yet) and returns the authorization code.</summary>
    public async Task<string> SignInAndAuthorizeAsync(DemoUser user, string challenge, string redirectUri = IdentityHost.PortalRedirectUri)
    {
        var location = await SignInUntilAsync(Location(await browser.GetAsync(AuthorizeUrl(challenge, redirectUri))), user, redirectUri);
        var query = QueryHelpers.ParseQuery(new Uri(location).Query);
        return query.TryGetValue("code", out var code)
            ? code.ToString()
            : throw new InvalidOperationException("No authorization code in " + location);
    }

    /// <summary>
    /// From where the provider sent the browser, submits the login form and the TOTP page as they come and follows the
    /// provider's own hops (back to /connect/authorize), until it redirects to <paramref name="redirectUri"/>; returns
    /// that address (with the code).
    /// </summary>
    public async Task<string> SignInUntilAsync(string location, DemoUser user, string redirectUri)
    {
        if (location.Contains("/account/login", StringComparison.Ordinal))
        {
            location = await SubmitLoginAsync(location, user);
        }

        for (var hop = 0; hop < 5 && !location.StartsWith(redirectUri, StringComparison.Ordinal); hop++)
        {
            location = location.Contains("/account/mfa", StringComparison.Ordinal)
                ? await SubmitFormAsync(location, new() { ["Code"] = Totp(user) })
                : Location(await browser.GetAsync(location));
        }

        return location;
    }

    public Task<string> SubmitLoginAsync(string loginUrl, DemoUser user, string? password = null) =>
        SubmitFormAsync(loginUrl, new() { ["UserName"] = user.UserName, ["Password"] = password ?? user.Password });

    /// <summary>GETs a page, fills its first form (keeping hidden fields) and posts it; returns the redirect.</summary>
    public async Task<string> SubmitFormAsync(string pageUrl, Dictionary<string, string> fields)
    {
        var (response, html) = await PostFormAsync(pageUrl, fields);
        return response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther
            ? Location(response)
            : throw new InvalidOperationException($"Form at {pageUrl} answered {(int)response.StatusCode}: {Text(html)}");
    }

    public async Task<(HttpResponseMessage Response, string Html)> PostFormAsync(string pageUrl, Dictionary<string, string> fields)
    {
        var page = await browser.GetStringAsync(pageUrl);
        var form = new HtmlParser().ParseDocument(page).Forms.First();
        var values = form.Elements.OfType<IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name) && input.Type == "hidden")
            .ToDictionary(input => input.Name!, input => input.Value);
        foreach (var (key, value) in fields)
        {
            values[key] = value;
        }

        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        var response = await browser.PostAsync(action, new FormUrlEncodedContent(values));
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static readonly Dictionary<string, long> LastUsedSteps = [];

    /// <summary>
    /// A code the provider will accept: it takes each code once and also the next step's code, so a second
    /// sign-in of the same user within 30 seconds uses the next step's code and a third waits for the clock.
    /// </summary>
    public static string Totp(DemoUser user)
    {
        var totp = new Totp(Base32Encoding.ToBytes(user.TotpSecret!));
        while (true)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
            lock (LastUsedSteps)
            {
                var step = LastUsedSteps.TryGetValue(user.TotpSecret!, out var last) ? Math.Max(now, last + 1) : now;
                if (step <= now + 1)
                {
                    LastUsedSteps[user.TotpSecret!] = step;
                    return totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
                }
            }

            Thread.Sleep(TimeSpan.FromSeconds(30 - (DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 30) + 1));
        }
    }

    public static string Location(HttpResponseMessage response) =>
        response.Headers.Location?.ToString()
        ?? throw new InvalidOperationException($"Expected a redirect, got {(int)response.StatusCode}.");

    private static string Text(string html) => new HtmlParser().ParseDocument(html).Body?.TextContent.Trim() ?? html;
}
