using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Consent.TestSupport;

namespace Consent.Portal.Tests;

/// <summary>
/// Signs in to the portal the way a browser does: the portal's /signin, the provider's login form (and TOTP
/// page for staff), back to the portal's callback, which opens the portal session.
/// </summary>
public static class PortalLogin
{
    public static async Task<HttpClient> SignInAsync(PortalHost portal, string userName)
    {
        var browser = portal.CreateBrowser();
        await SignInAsync(browser, browser, portal.Identity, userName);
        return browser;
    }

    /// <summary>Signs in starting at <paramref name="browser"/>'s portal and coming back to <paramref name="callbackBrowser"/>'s (another instance).</summary>
    public static async Task SignInAsync(HttpClient browser, HttpClient callbackBrowser, IdentityHost identity, string userName)
    {
        var providerBrowser = identity.CreateBrowser();
        var login = new BrowserLogin(providerBrowser);
        var user = identity.User(userName);

        var location = BrowserLogin.Location(await browser.GetAsync("/signin"));
        location = BrowserLogin.Location(await providerBrowser.GetAsync(location));
        if (location.Contains("/account/login", StringComparison.Ordinal))
        {
            location = await login.SubmitLoginAsync(location, user);
        }

        for (var hop = 0; hop < 5 && !location.StartsWith(PortalHost.BaseUrl + "callback/login/local", StringComparison.Ordinal); hop++)
        {
            location = location.Contains("/account/mfa", StringComparison.Ordinal)
                ? await login.SubmitFormAsync(location, new() { ["Code"] = BrowserLogin.Totp(user) })
                : BrowserLogin.Location(await providerBrowser.GetAsync(location));
        }

        var callback = await callbackBrowser.GetAsync(location);
        callback.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the callback opens the session and goes home");
        BrowserLogin.Location(callback).ShouldBe("/");
    }

    public static async Task<IHtmlDocument> PageAsync(HttpClient browser, string url)
    {
        var response = await browser.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{url} answered {response.Headers.Location}");
        return await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
    }
}
