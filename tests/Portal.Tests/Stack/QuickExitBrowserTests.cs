using Consent.Portal.Tests.Stack;
using Microsoft.Playwright;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The quick exit in a real browser on the running platform: it leaves for the neutral site, ends the portal's and the
/// provider's sessions, and leaves no signed-in page to go back to or to open in a new tab.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class QuickExitBrowserTests(PlatformStack stack, Browsers browsers)
{
    [Theory]
    [InlineData("click")]
    [InlineData("escape")]
    public async Task QuickExit_LeavesForTheNeutralSite_AndNothingSignedInIsLeft(string how)
    {
        await using var context = await browsers.PhoneAsync();
        var page = await context.NewPageAsync();
        await PageChecks.SignInAsync(page, stack, "demo-survivor");
        page.Url.ShouldStartWith(new Uri(stack.PortalUrl, "my").AbsoluteUri);
        await page.GotoAsync(new Uri(stack.PortalUrl, "my").AbsoluteUri);
        (await page.Locator("form.signout").CountAsync()).ShouldBe(1, "signed in before the exit");

        if (how == "escape")
        {
            await page.Keyboard.PressAsync("Escape");
        }
        else
        {
            await page.ClickAsync("[data-quick-exit]");
        }

        await page.WaitForPageAsync(stack.NeutralSite);
        (await page.TitleAsync()).ShouldBe("Weather");

        // Back, twice: whatever portal page comes back is asked for afresh and is not signed in.
        for (var step = 0; step < 2; step++)
        {
            await page.GoBackAsync();
            if (page.Url.StartsWith(stack.PortalUrl.AbsoluteUri, StringComparison.Ordinal))
            {
                (await page.Locator("form.signout").CountAsync()).ShouldBe(0, "a page from before the exit is signed in: " + page.Url);
                (await page.ContentAsync()).ShouldNotContain("sv-1001");
            }
        }

        // A new tab: the portal does not know the person any more.
        var tab = await context.NewPageAsync();
        await tab.GotoAsync(new Uri(stack.PortalUrl, "my").AbsoluteUri);
        tab.Url.ShouldNotStartWith(new Uri(stack.PortalUrl, "my").AbsoluteUri, Case.Sensitive, "the survivor's pages need a new sign-in");

        // Nor does the provider: signing in asks for the password again instead of coming straight back.
        await tab.GotoAsync(stack.PortalUrl.AbsoluteUri);
        await tab.ClickAsync("a[data-signin]");
        await tab.WaitForSelectorAsync("input[name=Password]");
        tab.Url.ShouldContain("/account/login");
    }

    [Fact]
    public async Task QuickExit_WorksWithoutJavaScript()
    {
        await using var context = await browsers.PhoneAsync(javaScript: false);
        var page = await context.NewPageAsync();
        await PageChecks.SignInAsync(page, stack, "demo-survivor");

        await page.ClickAsync("[data-quick-exit]");

        await page.WaitForPageAsync(stack.NeutralSite);
        var tab = await context.NewPageAsync();
        await tab.GotoAsync(new Uri(stack.PortalUrl, "my").AbsoluteUri);
        (await tab.Locator("form.signout").CountAsync()).ShouldBe(0);
    }
}
