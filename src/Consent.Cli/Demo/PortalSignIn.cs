using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Cli.Demo;

/// <summary>
/// Signs a demo user in at the identity provider the way a browser does for the portal: the authorization
/// code flow with PKCE (S256), the real login form with its antiforgery token, the TOTP page for staff, and
/// the redirect to the portal's redirect URI, whose code is redeemed here instead (the portal is not called).
/// Every failure becomes a <see cref="CommandFailed"/> that says what went wrong.
/// </summary>
internal sealed class PortalSignIn(HttpClient browser, Uri identity, Uri redirectUri, TimeProvider time)
{
    public const string PortalClientId = "consent-portal";
    public const string PortalScopes = "openid profile roles offline_access consent-api";

    // Authorize, login page, login post, code page, code post, authorize again, redirect: a few to spare.
    private const int MaxSteps = 12;

    /// <summary>The token endpoint's answer (JSON) and the access token in it.</summary>
    public sealed record Tokens(string AccessToken, JsonElement Response);

    private sealed record Answer(Uri Url, HttpStatusCode Status, Uri? Location, string? MediaType, string Body);

    public async Task<Tokens> SignInAsync(DemoAccount user, CancellationToken cancellationToken)
    {
        if (identity.Scheme != Uri.UriSchemeHttps && !identity.IsLoopback)
        {
            throw new CommandFailed($"Refusing to send a password over plain HTTP to {identity.Host}; use an https:// identity URL.");
        }

        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var code = await AuthorizeAsync(user, challenge, state, cancellationToken);
        return await RedeemAsync(code, verifier, cancellationToken);
    }

    private async Task<string> AuthorizeAsync(DemoAccount user, string challenge, string state, CancellationToken cancellationToken)
    {
        var authorize = new Uri(identity, "connect/authorize" + Query(new Dictionary<string, string>
        {
            ["client_id"] = PortalClientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri.AbsoluteUri,
            ["scope"] = PortalScopes,
            ["state"] = state,
            ["nonce"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        }));

        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, authorize), cancellationToken);
        bool passwordSent = false, codeSent = false;
        for (var step = 0; step < MaxSteps; step++)
        {
            if (answer.Location is { } next)
            {
                if (IsRedirectUri(next))
                {
                    return CodeFrom(next, state);
                }

                if (!SameOrigin(next, identity))
                {
                    throw new CommandFailed($"The identity provider redirected to {next.GetLeftPart(UriPartial.Path)}, " +
                                            $"neither itself nor the redirect URI {redirectUri}.");
                }

                answer = await SendAsync(new HttpRequestMessage(HttpMethod.Get, next), cancellationToken);
                continue;
            }

            if (answer.Status != HttpStatusCode.OK || answer.MediaType != "text/html")
            {
                throw Refused(answer, $"The identity provider answered {(int)answer.Status} at {answer.Url.AbsolutePath}.");
            }

            var page = new HtmlParser().ParseDocument(answer.Body);
            var path = answer.Url.AbsolutePath.TrimEnd('/');
            if (path.EndsWith("/account/login", StringComparison.OrdinalIgnoreCase))
            {
                if (passwordSent)
                {
                    throw new CommandFailed($"The identity provider refused the sign-in of '{user.UserName}': {Alert(page) ?? "no reason given"}",
                        ["Check the password in the users file; five wrong passwords lock the account for 15 minutes."]);
                }

                if (string.IsNullOrEmpty(user.Password))
                {
                    throw new CommandFailed($"The users file has no password for '{user.UserName}'.");
                }

                answer = await SubmitAsync(answer.Url, page, new() { ["UserName"] = user.UserName, ["Password"] = user.Password }, cancellationToken);
                passwordSent = true;
            }
            else if (path.EndsWith("/account/mfa", StringComparison.OrdinalIgnoreCase))
            {
                if (codeSent)
                {
                    throw new CommandFailed($"The identity provider refused the security code of '{user.UserName}': {Alert(page) ?? "no reason given"}",
                        ["Check the totpSecret in the users file and this computer's clock."]);
                }

                answer = await SubmitAsync(answer.Url, page, new() { ["Code"] = CurrentCode(user) }, cancellationToken);
                codeSent = true;
            }
            else if (path.EndsWith("/account/enroll-mfa", StringComparison.OrdinalIgnoreCase))
            {
                throw new CommandFailed($"'{user.UserName}' has no authenticator yet: sign in once in the portal to enrol one.");
            }
            else
            {
                throw new CommandFailed($"The identity provider showed an unexpected page at {answer.Url.AbsolutePath}" +
                                        (Alert(page) is { } alert ? ": " + alert : "."));
            }
        }

        throw new CommandFailed($"The identity provider did not redirect to {redirectUri} after {MaxSteps} steps.");
    }

    private async Task<Tokens> RedeemAsync(string code, string verifier, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(identity, "connect/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = redirectUri.AbsoluteUri,
                ["client_id"] = PortalClientId,
                ["code_verifier"] = verifier,
            }),
        }, cancellationToken);
        if (answer.Status != HttpStatusCode.OK)
        {
            throw Refused(answer, $"The identity provider refused to redeem the authorization code ({(int)answer.Status}).");
        }

        var response = TryParseJson(answer.Body);
        return response is { ValueKind: JsonValueKind.Object } body &&
               body.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String
            ? new Tokens(token.GetString()!, body)
            : throw new CommandFailed("The identity provider's token answer held no access token.");
    }

    /// <summary>Fills the page's form like a browser: hidden fields (the antiforgery token, the return URL) kept, the given fields set.</summary>
    private async Task<Answer> SubmitAsync(Uri pageUrl, IHtmlDocument page, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var form = page.Forms.FirstOrDefault(f => string.Equals(f.Method, "post", StringComparison.OrdinalIgnoreCase))
            ?? throw new CommandFailed($"The page at {pageUrl.AbsolutePath} has no form to fill.");
        var values = form.Elements.OfType<IHtmlInputElement>()
            .Where(input => !string.IsNullOrEmpty(input.Name) && input.Type == "hidden")
            .GroupBy(input => input.Name!)
            .ToDictionary(inputs => inputs.Key, inputs => inputs.First().Value);
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        var action = form.GetAttribute("action") is { Length: > 0 } target ? new Uri(pageUrl, target) : pageUrl;
        if (!SameOrigin(action, identity))
        {
            throw new CommandFailed($"The form at {pageUrl.AbsolutePath} posts to {action.GetLeftPart(UriPartial.Authority)}, not to the identity provider.");
        }

        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(values) }, cancellationToken);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                using var response = await browser.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var location = response.Headers.Location is { } target && (int)response.StatusCode is >= 300 and < 400
                    ? new Uri(request.RequestUri!, target)
                    : null;
                return new Answer(request.RequestUri!, response.StatusCode, location, response.Content.Headers.ContentType?.MediaType, body);
            }
            catch (HttpRequestException exception)
            {
                throw new CommandFailed($"Cannot reach the identity provider at {identity}: {exception.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CommandFailed($"The identity provider at {identity} did not answer in time.");
            }
        }
    }

    private string CurrentCode(DemoAccount user)
    {
        if (string.IsNullOrWhiteSpace(user.TotpSecret))
        {
            throw new CommandFailed($"The identity provider asks '{user.UserName}' for a security code, but the users file has no totpSecret for them.");
        }

        try
        {
            return Totp.Code(user.TotpSecret, time.GetUtcNow());
        }
        catch (FormatException)
        {
            throw new CommandFailed($"The totpSecret of '{user.UserName}' in the users file is not Base32.");
        }
    }

    private bool IsRedirectUri(Uri location) =>
        string.Equals(location.GetLeftPart(UriPartial.Path), redirectUri.GetLeftPart(UriPartial.Path), StringComparison.Ordinal);

    /// <summary>The code from the redirect, or the provider's OAuth error (e.g. access_denied) as a failure.</summary>
    private static string CodeFrom(Uri location, string state)
    {
        var parameters = ParseQuery(location.Query);
        if (parameters.TryGetValue("error", out var error))
        {
            throw new CommandFailed($"The identity provider refused the authorization request: {error}" +
                                    (parameters.TryGetValue("error_description", out var description) ? $" ({description})" : "") + ".");
        }

        if (!parameters.TryGetValue("state", out var returned) || returned != state)
        {
            throw new CommandFailed("The redirect to the redirect URI carried another state than the one sent; nothing was redeemed.");
        }

        return parameters.TryGetValue("code", out var code) && code.Length > 0
            ? code
            : throw new CommandFailed("The identity provider redirected to the redirect URI without an authorization code.");
    }

    /// <summary>A failure with whatever reason the answer gives: an OAuth error, a problem's title, or a short text.</summary>
    private static CommandFailed Refused(Answer answer, string message)
    {
        var details = new List<string>();
        if (TryParseJson(answer.Body) is { ValueKind: JsonValueKind.Object } json)
        {
            if (Text(json, "error") is { } error)
            {
                details.Add(Text(json, "error_description") is { } description ? $"{error}: {description}" : error);
            }
            else if (Text(json, "title") is { } title)
            {
                details.Add(title);
            }
        }
        else if (answer.MediaType == "text/html")
        {
            if (Alert(new HtmlParser().ParseDocument(answer.Body)) is { } alert)
            {
                details.Add(alert);
            }
        }
        else if (answer.Body.Length is > 0 and <= 2000)
        {
            // OpenIddict reports an error it cannot redirect (a wrong redirect URI) as lines of text.
            details.AddRange(answer.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(5));
        }

        if (answer.Status == HttpStatusCode.TooManyRequests)
        {
            details.Add("Too many attempts from this address: wait a minute and try again.");
        }

        return new CommandFailed(message, details);
    }

    private static string? Alert(IHtmlDocument page) =>
        page.QuerySelector("[role=alert]")?.TextContent.Trim() is { Length: > 0 } text ? text : null;

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonElement? TryParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static string Query(Dictionary<string, string> parameters) =>
        "?" + string.Join("&", parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((separator < 0 ? pair : pair[..separator]).Replace('+', ' '));
            var value = separator < 0 ? "" : Uri.UnescapeDataString(pair[(separator + 1)..].Replace('+', ' '));
            parameters.TryAdd(name, value);
        }

        return parameters;
    }
}
