using Microsoft.Playwright;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// Waits for the page a click leads to. Not Playwright's <c>WaitForURLAsync</c> or a single <c>WaitForLoadStateAsync</c>:
/// when the address already matches, they look at the recorded load states and only then subscribe to new ones, so a
/// <c>load</c> event delivered in between is lost and the wait runs out with the page loaded (playwright-dotnet issue
/// 3364; a survivor-page test failed so, its log showing only later events). Here the address is read from the page,
/// which the event thread keeps up to date, and the load state is asked again in short waits: a state that fired
/// while nobody listened is still recorded, so the next ask finds it.
/// </summary>
public static class PageWaits
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private const float LoadAskMilliseconds = 500;

    /// <summary>Waits until the page is at <paramref name="url"/> (the whole address) and has loaded.</summary>
    public static Task WaitForPageAsync(this IPage page, string url) =>
        page.WaitForPageAsync(current => current == url, url);

    /// <summary>Waits until the page's address satisfies <paramref name="url"/> and the page has loaded.</summary>
    public static Task WaitForPageAsync(this IPage page, Func<string, bool> url) =>
        page.WaitForPageAsync(url, "the expected address");

    /// <summary>Waits until the page that is showing has loaded as far as <paramref name="state"/>.</summary>
    public static async Task WaitForLoadedAsync(this IPage page, LoadState state = LoadState.Load)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                await page.WaitForLoadStateAsync(state, new() { Timeout = LoadAskMilliseconds });
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
                // Asked again: a state that fired in between is recorded by now.
            }
        }
    }

    private static async Task WaitForPageAsync(this IPage page, Func<string, bool> url, string expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!url(page.Url))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"After {Timeout.TotalSeconds} s the page is at {page.Url}, not at {expected}.");
            }

            await Task.Delay(Poll);
        }

        await page.WaitForLoadedAsync();
    }
}
