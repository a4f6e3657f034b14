using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Consent.TestSupport;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// Debian's Chromium driven by Playwright (its own browser download is not used): <c>CHROMIUM_PATH</c>, else
/// <c>chromium</c> on the PATH. One browser for the test run; each test opens its own context (cookies, history).
/// </summary>
public sealed class Browsers : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A phone-sized window (360 CSS pixels wide), with JavaScript unless asked otherwise.</summary>
    public async Task<IBrowserContext> PhoneAsync(bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 360, Height = 740 },
            JavaScriptEnabled = javaScript,
            Locale = "en-US",
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>
    /// How long a kept sign-in is reused. Each test's browser starts from a copy of the same cookies, and the portal renews
    /// the access token (5 minutes) with the refresh token 30 seconds before it expires; the provider rotates refresh tokens
    /// and refuses a spent one, so a copy kept past the first renewal would end every later test's session.
    /// </summary>
    private static readonly TimeSpan KeptSignIn = TimeSpan.FromMinutes(3);

    private readonly Dictionary<string, (string State, DateTime At)> signedIn = [];

    /// <summary>
    /// A phone-sized browser already signed in as a demo user (the session's cookies are kept from a sign-in of the last
    /// <see cref="KeptSignIn"/>, see <see cref="PlatformStack.SessionAsync"/>). A test that ends the session signs in
    /// with <see cref="PageChecks.SignInAsync"/> in a fresh <see cref="PhoneAsync"/> instead.
    /// </summary>
    public async Task<IPage> SignedInPhoneAsync(PlatformStack stack, string userName, bool javaScript = true)
    {
        if (!signedIn.TryGetValue(userName, out var kept) || DateTime.UtcNow - kept.At > KeptSignIn)
        {
            var at = DateTime.UtcNow;
            await using var first = await PhoneAsync();
            var page = await first.NewPageAsync();
            await PageChecks.SignInAsync(page, stack, userName);
            kept = (await first.StorageStateAsync(), at);
            signedIn[userName] = kept;
        }

        var context = await Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 360, Height = 740 },
            JavaScriptEnabled = javaScript,
            Locale = "en-US",
            StorageState = kept.State,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }

    private static string ChromiumPath()
    {
        if (Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured)
        {
            return configured;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(directory, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Chromium is not installed: ./test.sh installs Debian's chromium package.");
    }
}

/// <summary>What every browser test checks on a page, and how it signs in.</summary>
public static class PageChecks
{
    /// <summary>Signs in through the portal and the provider's real forms; the browser ends on the role's start page.</summary>
    public static async Task SignInAsync(IPage page, PlatformStack stack, string userName)
    {
        var user = stack.User(userName);
        await page.GotoAsync(stack.PortalUrl.AbsoluteUri);
        await page.ClickAsync("a[data-signin]");
        await page.FillAsync("input[name=UserName]", user.UserName);
        await page.FillAsync("input[name=Password]", user.Password);
        await page.Locator("form button[type=submit]").Last.ClickAsync();
        if (user.TotpSecret is not null)
        {
            await page.WaitForPageAsync(url => url.Contains("/account/mfa", StringComparison.Ordinal));
            await page.FillAsync("input[name=Code]", BrowserLogin.Totp(user));
            await page.Locator("form button[type=submit]").Last.ClickAsync();
        }

        await page.WaitForPageAsync(url => url.StartsWith(stack.PortalUrl.AbsoluteUri, StringComparison.Ordinal) && !url.Contains("/callback/", StringComparison.Ordinal));
    }

    /// <summary>No serious or critical accessibility violation (axe-core, WCAG 2.x A and AA rules).</summary>
    public static async Task ShouldBeAccessibleAsync(IPage page)
    {
        var results = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
        });
        var blocking = results.Violations.Where(violation => violation.Impact is "serious" or "critical").ToList();
        blocking.ShouldBeEmpty(page.Url + ": " + string.Join("; ", blocking.Select(violation =>
            $"{violation.Id} ({violation.Impact}): {violation.Help} at {string.Join(", ", violation.Nodes.Take(3).Select(node => node.Html))}")));
    }

    /// <summary>Nothing is wider than the window: no horizontal scrolling on a 360 px phone.</summary>
    public static async Task ShouldNotScrollSidewaysAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        widths[0].ShouldBeLessThanOrEqualTo(widths[1], page.Url + " is wider than the window");
    }

    /// <summary>The quick exit is the first thing to tab to, and the page title says nothing about the service.</summary>
    public static async Task ShouldHaveQuickExitFirstAsync(IPage page)
    {
        var first = await page.EvaluateAsync<string?>("() => document.querySelector('body a, body button, body input')?.getAttribute('data-quick-exit')");
        first.ShouldNotBeNull(page.Url + ": the quick exit must come first");
        (await page.TitleAsync()).ShouldNotContain("onsent", Case.Insensitive);
    }

    /// <summary>Every check above, plus a screenshot kept as a test artifact.</summary>
    public static async Task ShouldBeAGoodPageAsync(IPage page, string screenshotName)
    {
        await ShouldHaveQuickExitFirstAsync(page);
        await ShouldNotScrollSidewaysAsync(page);
        await ShouldBeAccessibleAsync(page);
        await ScreenshotAsync(page, screenshotName);
    }

    /// <summary>Saved under <c>artifacts/screenshots</c> in the test output (or <c>TEST_ARTIFACTS</c>).</summary>
    public static Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Environment.GetEnvironmentVariable("TEST_ARTIFACTS") is { Length: > 0 } configured
            ? Path.Combine(configured, "screenshots")
            : Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        return page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }
}

/// <summary>
/// The tests on the running platform, HTTP and browser alike: one platform and one browser for all of them, run one
/// after another (the machine's two cores run the three apps and the browser).
/// </summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<PlatformStack>, ICollectionFixture<Browsers>
{
    public const string Name = "stack";
}
