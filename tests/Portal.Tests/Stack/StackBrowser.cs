using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Consent.TestSupport;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// An HTTP client that behaves like a browser without JavaScript on the running platform: keeps cookies (one jar for
/// the portal and the provider, as a browser does for localhost), does not follow redirects, fills forms with their
/// antiforgery fields. For page-by-page tests that do not need the real browser.
/// </summary>
public sealed class StackBrowser : IDisposable
{
    private readonly LocalhostCookieJar jar = new() { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false } };

    public StackBrowser(PlatformStack stack)
    {
        Stack = stack;
        Portal = new HttpClient(jar, disposeHandler: false) { BaseAddress = stack.PortalUrl };
        Provider = new HttpClient(jar, disposeHandler: false) { BaseAddress = stack.IdentityUrl };
    }

    public PlatformStack Stack { get; }

    /// <summary>The demo user signed in (null until <see cref="SignInAsync"/> has).</summary>
    public string? UserName { get; private set; }

    /// <summary>Requests to the portal (relative URLs resolve against it).</summary>
    public HttpClient Portal { get; }

    /// <summary>Requests to the identity provider.</summary>
    public HttpClient Provider { get; }

    /// <summary>The portal's redirect URI registered at the provider, where the provider sends the code.</summary>
    private string Callback => new Uri(Stack.PortalUrl, "callback/login/local").AbsoluteUri;

    /// <summary>Signs in through the real login form (and TOTP page for staff); returns the start page the portal chose.</summary>
    public static async Task<StackBrowser> SignInAsync(PlatformStack stack, string userName)
    {
        var browser = new StackBrowser(stack);
        var user = stack.User(userName);
        var login = new BrowserLogin(browser.Provider);
        var location = BrowserLogin.Location(await browser.Portal.GetAsync("/signin"));
        location = await login.SignInUntilAsync(BrowserLogin.Location(await browser.Provider.GetAsync(location)), user, browser.Callback);
        var answer = await browser.Portal.GetAsync(location);
        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the callback opens the session");
        browser.UserName = userName;
        return browser;
    }

    private (string Token, DateTimeOffset Until)? accessToken;

    /// <summary>
    /// An access token of the signed-in user, as the portal gets one (authorization code with PKCE), from this browser's
    /// session at the provider: for a test to ask the consent API itself what the pages showed or did.
    /// </summary>
    public async Task<string> AccessTokenAsync()
    {
        if (accessToken is { } cached && cached.Until > DateTimeOffset.UtcNow.AddSeconds(30))
        {
            return cached.Token;
        }

        var user = Stack.User(UserName ?? throw new InvalidOperationException("Sign in first."));
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(Provider).SignInAndAuthorizeAsync(user, challenge, Callback);
        var (status, _, body) = await TokenRequests.RedeemCodeAsync(Provider, code, verifier, Callback);
        status.ShouldBe((int)HttpStatusCode.OK, body.ToString());
        accessToken = (body.GetProperty("access_token").GetString()!, DateTimeOffset.UtcNow.AddSeconds(body.GetProperty("expires_in").GetInt32()));
        return accessToken.Value.Token;
    }

    /// <summary>GETs a portal page that must answer 200, parsed.</summary>
    public async Task<IHtmlDocument> PageAsync(string url)
    {
        var response = await Portal.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{url} answered {(int)response.StatusCode} {response.Headers.Location}");
        return await new HtmlParser().ParseDocumentAsync(html);
    }

    /// <summary>
    /// Posts the form of a page (the first one matching <paramref name="formSelector"/>), keeping its hidden fields
    /// (antiforgery included) and the values of its other fields unless overridden. Returns the answer as it came.
    /// </summary>
    public async Task<HttpResponseMessage> SubmitAsync(IHtmlDocument page, string formSelector, IDictionary<string, string> fields,
        string? pageUrl = null)
    {
        var form = page.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form {formSelector} on the page.");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement { Name.Length: > 0 } input when input.Type is "checkbox" or "radio":
                    if (input.IsChecked && !fields.ContainsKey(input.Name!))
                    {
                        values.Add(new(input.Name!, input.Value));
                    }

                    break;
                case IHtmlInputElement { Name.Length: > 0 } input when input.Type is not ("submit" or "button"):
                    if (!fields.ContainsKey(input.Name!))
                    {
                        values.Add(new(input.Name!, input.Value));
                    }

                    break;
                case IHtmlTextAreaElement { Name.Length: > 0 } area when !fields.ContainsKey(area.Name!):
                    values.Add(new(area.Name!, area.Value));
                    break;
                case IHtmlSelectElement { Name.Length: > 0 } select when !fields.ContainsKey(select.Name!):
                    if (select.SelectedOptions.FirstOrDefault() is { } option)
                    {
                        values.Add(new(select.Name!, option.Value));
                    }

                    break;
            }
        }

        // A field given several values (checkbox groups) is written "value1\u001fvalue2".
        foreach (var (name, value) in fields)
        {
            foreach (var each in value.Split('\u001f'))
            {
                values.Add(new(name, each));
            }
        }

        var action = form.GetAttribute("action");
        var target = string.IsNullOrEmpty(action) ? pageUrl ?? throw new InvalidOperationException("The form has no action: give the page's URL.") : action;
        return await Portal.PostAsync(target, new FormUrlEncodedContent(values));
    }

    /// <summary>Several values for one field of <see cref="SubmitAsync"/>.</summary>
    public static string Many(params string[] values) => string.Join('\u001f', values);

    public void Dispose()
    {
        Portal.Dispose();
        Provider.Dispose();
        jar.Dispose();
    }
}
