using Microsoft.Playwright;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The survivor's pages in a real browser on a 360 px phone, on the running platform: grant through the wizard, see it
/// listed, revoke it, see it gone; the same pages in Spanish and Korean; every page (and every wizard step and
/// confirmation) quick exit first, no sideways scrolling, no serious accessibility problem.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class SurvivorPagesBrowserTests(PlatformStack stack, Browsers browsers)
{
    private const string Survivor = "demo-survivor";

    private string Url(string path) => new Uri(stack.PortalUrl, path).AbsoluteUri;

    [Fact]
    public async Task Survivor_GrantsThroughTheWizard_SeesItListed_RevokesIt_AndItIsGone()
    {
        var page = await browsers.SignedInPhoneAsync(stack, Survivor);
        await using var context = page.Context;
        await page.GotoAsync(Url("my?culture=en"));
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-my-sharing");

        await page.ClickAsync("main a[href='/my/share']");
        await page.WaitForPageAsync(Url("my/share"));
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-share-1-agency");
        await page.CheckAsync("#agency-bridge-legal");
        await page.ClickAsync("[data-next]");

        await page.WaitForSelectorAsync("[data-step='2']");
        (await page.Locator("[data-sensitive-group] input:checked").CountAsync()).ShouldBe(0, "sensitive records are off by default");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-share-2-what");
        await page.CheckAsync("#category-documents");
        await page.CheckAsync("#category-case-management");
        await page.ClickAsync("[data-next]");

        await page.WaitForSelectorAsync("[data-step='3']");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-share-3-why");
        await page.CheckAsync("#purpose-legal-advocacy");
        await page.CheckAsync("#length-90");
        await page.ClickAsync("[data-next]");

        await page.WaitForSelectorAsync("[data-step='4']");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-share-4-sources");
        await page.CheckAsync("#sources-some");
        await page.CheckAsync("#source-harbor-house");
        await page.ClickAsync("[data-next]");

        await page.WaitForSelectorAsync("[data-step='5']");
        page.Url.ShouldBe(Url("my/share"), "the choices never appear in the address");
        (await page.TextContentAsync("[data-preview]"))!.ShouldContain("Bridge Legal Aid");
        (await page.GetAttributeAsync("[data-consent-text]", "data-consent-version")).ShouldBe("3");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-share-5-confirm");
        await page.ClickAsync("[data-confirm]");

        await page.WaitForPageAsync(url => url.Contains("/my?granted=", StringComparison.Ordinal));
        var grantId = page.Url[(page.Url.IndexOf("granted=", StringComparison.Ordinal) + "granted=".Length)..];
        var card = page.Locator($"[data-grant='{grantId}']");
        (await card.CountAsync()).ShouldBe(1, "the new grant is listed");
        (await card.TextContentAsync())!.ShouldContain("Bridge Legal Aid");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-my-sharing-granted");

        await card.Locator("[data-revoke]").ClickAsync();
        await page.WaitForSelectorAsync($"[data-confirm-revoke='{grantId}']");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-revoke-confirm");
        await page.ClickAsync("[data-revoke-yes]");

        await page.WaitForPageAsync(Url("my?revoked=1"));
        (await page.Locator("[data-revoked]").CountAsync()).ShouldBe(1);
        (await page.Locator($"[data-grant='{grantId}']").CountAsync()).ShouldBe(0, "a revoked grant is gone from the list");
    }

    [Theory]
    [InlineData("es", "Compartir con una agencia", "¿Quién debería poder verlo?", "Nunca compartir con", "Agregar una agencia", "Quién vio mis datos")]
    [InlineData("ko", "기관과 공유하기", "누가 볼 수 있게 할까요?", "절대 공유하지 않을 곳", "기관 추가하기", "내 정보를 본 사람")]
    public async Task SurvivorPages_InSpanishAndKorean(string culture, string shareTitle, string shareQuestion, string neverTitle, string neverAdd,
        string seenTitle)
    {
        var page = await browsers.SignedInPhoneAsync(stack, Survivor);
        await using var context = page.Context;

        await page.GotoAsync(Url("my/share?culture=" + culture));
        (await page.GetAttributeAsync("html", "lang")).ShouldBe(culture);
        (await page.TextContentAsync("h1"))!.Trim().ShouldBe(shareTitle);
        (await page.TextContentAsync("main"))!.ShouldContain(shareQuestion);
        await PageChecks.ShouldBeAGoodPageAsync(page, $"survivor-share-{culture}");

        // The wizard's next step keeps the language (the choice is remembered, not carried in the URL).
        await page.CheckAsync("#agency-northside-clinic");
        await page.ClickAsync("[data-next]");
        await page.WaitForSelectorAsync("[data-step='2']");
        (await page.TextContentAsync("[data-sensitive-group] legend"))!.ShouldNotContain("Sensitive");
        await PageChecks.ShouldBeAGoodPageAsync(page, $"survivor-share-2-{culture}");

        await page.GotoAsync(Url("my"));
        (await page.GetAttributeAsync("html", "lang")).ShouldBe(culture);
        await PageChecks.ShouldBeAGoodPageAsync(page, $"survivor-my-sharing-{culture}");

        await page.GotoAsync(Url("my/never"));
        (await page.TextContentAsync("h1"))!.Trim().ShouldBe(neverTitle);
        (await page.TextContentAsync("main"))!.ShouldContain(neverAdd);
        await PageChecks.ShouldBeAGoodPageAsync(page, $"survivor-never-{culture}");

        await page.GotoAsync(Url("my/seen"));
        (await page.TextContentAsync("h1"))!.Trim().ShouldBe(seenTitle);
        await PageChecks.ShouldBeAGoodPageAsync(page, $"survivor-seen-{culture}");

        await page.GotoAsync(Url("my/requests"));
        (await page.GetAttributeAsync("html", "lang")).ShouldBe(culture);
        await PageChecks.ShouldBeAGoodPageAsync(page, $"survivor-requests-{culture}");
    }

    [Fact]
    public async Task EveryOtherSurvivorPage_AndItsConfirmations_AreGoodPages()
    {
        var page = await browsers.SignedInPhoneAsync(stack, Survivor);
        await using var context = page.Context;

        // A waiting request from an agency, answered no in the browser.
        var request = await SurvivorTestData.AgencyRequestAsync(stack, "bridge-legal", ["documents", "immigration-status"], "legal-advocacy", 90);
        await page.GotoAsync(Url("my/requests?culture=en"));
        (await page.TextContentAsync("h1"))!.Trim().ShouldBe("Requests");
        var card = page.Locator($"[data-request='{request}']");
        (await card.TextContentAsync())!.ShouldContain("Immigration status");
        await card.Locator("summary").ClickAsync();
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-requests");
        await card.Locator("[data-decline]").ClickAsync();
        await page.WaitForPageAsync(Url("my/requests?answered=declined"));
        (await page.GetAttributeAsync($"[data-answered-request='{request}']", "data-state")).ShouldBe("declined");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-requests-answered");

        await page.GotoAsync(Url("my/seen"));
        (await page.TextContentAsync("h1"))!.Trim().ShouldBe("Who saw my data");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-seen");

        await page.GotoAsync(Url("my/never"));
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-never");

        // A missing choice, shown beside the field.
        await page.ClickAsync("[data-add]");
        await page.WaitForSelectorAsync("[data-error-for=agency]");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-never-missing-choice");

        // The confirmation of an addition (left unconfirmed: nothing changes).
        var option = await page.Locator("#never-agency option:not([value=''])").First.GetAttributeAsync("value");
        await page.SelectOptionAsync("#never-agency", option!);
        await page.ClickAsync("[data-add]");
        await page.WaitForSelectorAsync($"[data-confirm-add='{option}']");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-never-confirm");
        await page.ClickAsync("[data-confirm-add] a");
        await page.WaitForPageAsync(Url("my/never"));
        (await page.Locator($"[data-agency='{option}']").CountAsync()).ShouldBe(0, "going back adds nothing");

        // A wizard step with the missing choice said beside it.
        await page.GotoAsync(Url("my/share"));
        await page.ClickAsync("[data-next]");
        await page.WaitForSelectorAsync("[data-error-for=agency]");
        await PageChecks.ShouldBeAGoodPageAsync(page, "survivor-share-missing-choice");
    }
}
