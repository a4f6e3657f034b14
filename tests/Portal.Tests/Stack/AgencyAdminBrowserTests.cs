using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Consent.TestSupport;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The agency administrators' pages in a real browser on the running platform: an MOU drafted by the shelter's admin
/// with the clinic, sent for signature, signed from both sides and then active; and an agency system registered with a
/// key generated here, proven by a real private_key_jwt token request, then removed. Each test makes its own MOU and
/// system and asserts on those only.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AgencyAdminBrowserTests(PlatformStack stack, Browsers browsers)
{
    private const string Shelter = "demo-shelter-admin";
    private const string Clinic = "demo-clinic-admin";

    [Fact]
    public async Task Mou_DraftedBySheltersAdmin_SignedByBothAgencies_IsActive_WithItsExpiryWarning()
    {
        var title = "Care coordination " + Guid.NewGuid().ToString("n")[..8];
        var shelter = await browsers.SignedInPhoneAsync(stack, Shelter);
        await GotoAsync(shelter, "agency/mous");
        (await shelter.Locator("h1").InnerTextAsync()).ShouldBe("Agreements between agencies (MOUs)");
        await PageChecks.ShouldBeAGoodPageAsync(shelter, "agency-mous");

        await shelter.ClickAsync("a[data-new-mou]");
        await shelter.WaitForPageAsync(url => url.EndsWith("/agency/mous/new", StringComparison.Ordinal));
        await PageChecks.ShouldBeAGoodPageAsync(shelter, "agency-mou-new");

        // Without purposes or kinds of records the API refuses, and says so beside those fields; what was typed stays.
        await shelter.FillAsync("#title", title);
        await shelter.CheckAsync("#party-northside-clinic");
        var refused = await SubmitAsync(shelter, "form[data-draft-form] button[type=submit]");
        refused.ShouldBe(400);
        (await shelter.Locator("[data-error-for=purposes]").InnerTextAsync()).ShouldBe("Choose at least one reason for sharing.");
        (await shelter.Locator("[data-error-for=categories]").CountAsync()).ShouldBe(1);
        (await shelter.Locator("#purpose-care-coordination").GetAttributeAsync("aria-invalid")).ShouldBeNull();
        (await shelter.InputValueAsync("#title")).ShouldBe(title);
        (await shelter.IsCheckedAsync("#party-northside-clinic")).ShouldBeTrue();
        await PageChecks.ShouldBeAGoodPageAsync(shelter, "agency-mou-new-refused");

        // Ending in 20 days: once active, it is flagged as ending soon.
        var today = DateTime.UtcNow.Date;
        await shelter.CheckAsync("#purpose-care-coordination");
        await shelter.CheckAsync("#category-contact");
        await shelter.CheckAsync("#category-case-management");
        await shelter.FillAsync("#effective", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await shelter.FillAsync("#expires", today.AddDays(20).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await shelter.ClickAsync("form[data-draft-form] button[type=submit]");
        await shelter.WaitForPageAsync(url => url.Contains("done=drafted", StringComparison.Ordinal));
        var detailUrl = shelter.Url.Split('?')[0];
        Regex.IsMatch(detailUrl, "/agency/mous/[0-9a-f-]{36}$").ShouldBeTrue(detailUrl);
        (await shelter.Locator("[data-mou-title]").InnerTextAsync()).ShouldBe(title);
        (await shelter.Locator("[data-status]").GetAttributeAsync("data-status")).ShouldBe("Draft");
        await PageChecks.ShouldBeAGoodPageAsync(shelter, "agency-mou-draft");

        // Sending for signature without the document is refused by the API, beside the button.
        (await SubmitAsync(shelter, "form[data-submit-form] button[type=submit]")).ShouldBe(409);
        (await shelter.Locator("[data-error-for=submit]").InnerTextAsync()).ShouldContain("Upload the agreement document");

        var document = Encoding.ASCII.GetBytes("%PDF-1.4\n% Memorandum of understanding " + title + "\n%%EOF\n");
        await shelter.SetInputFilesAsync("#document", new FilePayload { Name = "mou.pdf", MimeType = "application/pdf", Buffer = document });
        await shelter.ClickAsync("form[data-document-form] button[type=submit]");
        await shelter.WaitForPageAsync(url => url.Contains("done=document", StringComparison.Ordinal));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(document));
        (await shelter.Locator("[data-document-sha256]").InnerTextAsync()).ShouldBe(sha256);

        await shelter.ClickAsync("form[data-submit-form] button[type=submit]");
        await shelter.WaitForPageAsync(url => url.Contains("done=submit", StringComparison.Ordinal));
        (await shelter.Locator("[data-status]").GetAttributeAsync("data-status")).ShouldBe("PendingSignature");
        (await shelter.Locator("form[data-document-form]").CountAsync()).ShouldBe(0, "a document under signature cannot change");

        await shelter.CheckAsync("#sign-confirm");
        await shelter.ClickAsync("form[data-sign-form] button[type=submit]");
        await shelter.WaitForPageAsync(url => url.Contains("done=sign", StringComparison.Ordinal));
        (await shelter.Locator("[data-party=harbor-house]").GetAttributeAsync("data-signed")).ShouldBe("true");
        (await shelter.Locator("[data-party=northside-clinic]").GetAttributeAsync("data-signed")).ShouldBe("false");
        (await shelter.Locator("[data-status]").GetAttributeAsync("data-status")).ShouldBe("PendingSignature");
        await PageChecks.ShouldBeAGoodPageAsync(shelter, "agency-mou-pending");

        // The clinic's admin finds it waiting for the clinic's signature, reads the same document and signs.
        var clinic = await browsers.SignedInPhoneAsync(stack, Clinic);
        await GotoAsync(clinic, "agency/mous");
        var waiting = clinic.Locator("li[data-mou]", new() { Has = clinic.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }) });
        (await waiting.Locator("[data-awaits-signature]").CountAsync()).ShouldBe(1);
        await waiting.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
        await clinic.WaitForPageAsync(detailUrl);
        (await clinic.Locator("[data-document-sha256]").InnerTextAsync()).ShouldBe(sha256);
        var download = await clinic.Context.APIRequest.GetAsync(detailUrl + "?handler=document");
        download.Status.ShouldBe(200);
        Convert.ToHexStringLower(SHA256.HashData(await download.BodyAsync())).ShouldBe(sha256);
        await PageChecks.ShouldBeAGoodPageAsync(clinic, "agency-mou-sign");

        // Signing without ticking the box is refused by the page itself; nothing is sent.
        await clinic.EvaluateAsync("() => document.getElementById('sign-confirm').removeAttribute('required')");
        (await SubmitAsync(clinic, "form[data-sign-form] button[type=submit]")).ShouldBe(400);
        (await clinic.Locator("[data-error-for=sign]").CountAsync()).ShouldBe(1);
        await clinic.CheckAsync("#sign-confirm");
        await clinic.ClickAsync("form[data-sign-form] button[type=submit]");
        await clinic.WaitForPageAsync(url => url.Contains("done=sign", StringComparison.Ordinal));
        (await clinic.Locator("[data-status]").GetAttributeAsync("data-status")).ShouldBe("Active");
        (await clinic.Locator("[data-party=northside-clinic]").GetAttributeAsync("data-signed")).ShouldBe("true");
        (await clinic.Locator("[data-expiry-warning]").InnerTextAsync()).ShouldContain("Ends in 20 days.");
        await PageChecks.ShouldBeAGoodPageAsync(clinic, "agency-mou-active");

        // Back at the shelter: active in the list, flagged as ending soon.
        await GotoAsync(shelter, "agency/mous");
        var mine = shelter.Locator("li[data-mou]", new() { Has = shelter.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }) });
        (await mine.Locator("[data-status]").GetAttributeAsync("data-status")).ShouldBe("Active");
        (await mine.Locator("[data-expiry-warning]").CountAsync()).ShouldBe(1);

        // The clinic ends it: it is ended for both agencies, with the reason given.
        await clinic.FillAsync("#reason", "Replaced by the county-wide agreement.");
        await clinic.CheckAsync("#terminate-confirm");
        await clinic.ClickAsync("form[data-terminate-form] button[type=submit]");
        await clinic.WaitForPageAsync(url => url.Contains("done=terminate", StringComparison.Ordinal));
        (await clinic.Locator("[data-status]").GetAttributeAsync("data-status")).ShouldBe("Terminated");
        (await clinic.Locator("form[data-terminate-form], form[data-sign-form]").CountAsync()).ShouldBe(0);
        (await clinic.Locator("[data-expiry-warning]").CountAsync()).ShouldBe(0);
        await PageChecks.ShouldBeAGoodPageAsync(clinic, "agency-mou-ended");

        // In Spanish and Korean the page speaks the language, the MOU's own title unchanged.
        await GotoAsync(shelter, "agency/mous?culture=es");
        (await shelter.Locator("h1").InnerTextAsync()).ShouldBe("Acuerdos entre agencias (MOU)");
        (await mine.Locator("[data-status]").InnerTextAsync()).ShouldBe("Terminado");
        await GotoAsync(shelter, detailUrl[stack.PortalUrl.AbsoluteUri.Length..]);
        (await shelter.Locator("dd.reason").InnerTextAsync()).ShouldBe("Replaced by the county-wide agreement.");
        await GotoAsync(shelter, "agency/mous?culture=ko");
        (await shelter.Locator("h1").InnerTextAsync()).ShouldBe("기관 간 협약(MOU)");
        await PageChecks.ShouldBeAGoodPageAsync(shelter, "agency-mous-ko");
        await GotoAsync(shelter, "agency/mous?culture=en");
        await shelter.Context.CloseAsync();
        await clinic.Context.CloseAsync();
    }

    [Fact]
    public async Task AgencySystem_RegisteredWithAFreshKey_GetsTokens_UntilItIsRemoved()
    {
        var clientId = "harbor-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var page = await browsers.SignedInPhoneAsync(stack, Shelter);
        await GotoAsync(page, "agency/clients");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Your agency's systems (API clients)");
        await PageChecks.ShouldBeAGoodPageAsync(page, "agency-clients");

        // A private key pasted by mistake is refused by the portal, not sent on, and not shown back.
        var privatePem = key.ExportPkcs8PrivateKeyPem();
        await page.FillAsync("#display-name", "Intake system (test)");
        await page.FillAsync("#client-id", clientId);
        await page.FillAsync("#public-key", privatePem);
        (await SubmitAsync(page, "form[data-register-form] button[type=submit]")).ShouldBe(400);
        (await page.Locator("[data-error-for=publicKey]").InnerTextAsync()).ShouldStartWith("This is a private key.");
        (await page.ContentAsync()).ShouldNotContain(privatePem.Split('\n')[1]);
        (await page.InputValueAsync("#public-key")).ShouldBeEmpty();
        (await page.InputValueAsync("#client-id")).ShouldBe(clientId);
        await PageChecks.ShouldBeAGoodPageAsync(page, "agency-clients-refused");

        await page.FillAsync("#public-key", key.ExportSubjectPublicKeyInfoPem());
        await page.ClickAsync("form[data-register-form] button[type=submit]");
        await page.WaitForPageAsync(url => url.Contains("done=registered", StringComparison.Ordinal));
        var card = page.Locator($"[data-system='{clientId}']");
        (await card.CountAsync()).ShouldBe(1);
        (await card.Locator("h3").InnerTextAsync()).ShouldBe("Intake system (test)");
        (await card.InnerTextAsync()).ShouldContain("read the records it is allowed to see");
        await PageChecks.ShouldBeAGoodPageAsync(page, "agency-clients-registered");

        // The key really works: a private_key_jwt assertion signed with it gets a token for the shelter.
        using var http = new HttpClient { BaseAddress = stack.IdentityUrl };
        var (status, body) = await TokenAsync(http, clientId, key, "ES384");
        status.ShouldBe(200, body);

        // A new RSA key replaces the EC one: the old key stops working, the new one works.
        using var rsa = RSA.Create(2048);
        await card.Locator("details:has(form[data-key-form]) summary").ClickAsync();
        await card.Locator("form[data-key-form] textarea").FillAsync(rsa.ExportSubjectPublicKeyInfoPem());
        await card.Locator("form[data-key-form] button[type=submit]").ClickAsync();
        await page.WaitForPageAsync(url => url.Contains("done=rekeyed", StringComparison.Ordinal));
        (await TokenAsync(http, clientId, key, "ES384")).Status.ShouldBeOneOf(400, 401);
        (status, body) = await TokenAsync(http, clientId, rsa, "RS384");
        status.ShouldBe(200, body);

        // Removed: gone from the list, and its key no longer gets tokens.
        await card.Locator("details:has(form[data-remove-form]) summary").ClickAsync();
        await card.Locator("form[data-remove-form] input[name=Confirm]").CheckAsync();
        await card.Locator("form[data-remove-form] button[type=submit]").ClickAsync();
        await page.WaitForPageAsync(url => url.Contains("done=removed", StringComparison.Ordinal));
        (await page.Locator($"[data-system='{clientId}']").CountAsync()).ShouldBe(0);
        await PageChecks.ShouldBeAGoodPageAsync(page, "agency-clients-removed");
        (status, body) = await TokenAsync(http, clientId, rsa, "RS384");
        status.ShouldBeOneOf(400, 401);
        body.ShouldContain("invalid_client");

        // Keys never reach the logs.
        stack.Output().ShouldNotContain(privatePem.Split('\n')[1]);
        stack.Output().ShouldNotContain(rsa.ExportSubjectPublicKeyInfoPem().Split('\n')[1]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PlatformAdmin_SeesEveryAgencysSystems_AndReadsMous_WithoutActingForAnAgency()
    {
        var page = await browsers.SignedInPhoneAsync(stack, "demo-platform-admin");
        await GotoAsync(page, "agency/clients");
        (await page.Locator("[data-system]").CountAsync()).ShouldBeGreaterThanOrEqualTo(6, "every demo agency has a system");
        (await page.Locator("form[data-register-form] select#agency").CountAsync()).ShouldBe(1, "a platform admin chooses the agency");
        await PageChecks.ShouldBeAGoodPageAsync(page, "agency-clients-platform-admin");

        await GotoAsync(page, "agency/mous");
        var first = page.Locator("li[data-mou] h2 a").First;
        await first.ClickAsync();
        await page.WaitForPageAsync(url => Regex.IsMatch(url, "/agency/mous/[0-9a-f-]{36}$"));
        (await page.Locator("form[data-sign-form], form[data-terminate-form], form[data-document-form]").CountAsync()).ShouldBe(0);
        await PageChecks.ShouldBeAGoodPageAsync(page, "agency-mou-platform-admin");
        await page.Context.CloseAsync();
    }

    private async Task GotoAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(new Uri(stack.PortalUrl, path).AbsoluteUri);
        response.ShouldNotBeNull();
        response.Status.ShouldBe(200, $"{path}: {stack.Output()}");
    }

    /// <summary>Clicks a form's button and answers the status of the page that came back (a refusal is not redirected).</summary>
    private static async Task<int> SubmitAsync(IPage page, string button)
    {
        var posted = page.WaitForResponseAsync(response => response.Request.Method == "POST" && response.Request.IsNavigationRequest);
        await page.ClickAsync(button);
        var response = await posted;
        await page.WaitForLoadedAsync(LoadState.DOMContentLoaded);
        return response.Status;
    }

    /// <summary>A client_credentials request authenticated by an assertion signed with the system's private key.</summary>
    private async Task<(int Status, string Body)> TokenAsync(HttpClient http, string clientId, AsymmetricAlgorithm key, string algorithm)
    {
        SecurityKey signingKey = key switch
        {
            ECDsa ec => new ECDsaSecurityKey(ec),
            RSA rsa => new RsaSecurityKey(rsa),
            _ => throw new ArgumentException("RSA or EC keys only", nameof(key)),
        };
        var claims = ClientAssertions.Claims(new DemoClient(clientId, "harbor-house", "", [], algorithm),
            new Uri(stack.IdentityUrl, "connect/token").AbsoluteUri);
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var assertion = handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey, algorithm),
            TokenType = ClientAssertions.AssertionType,
        });
        var response = await TokenRequests.ClientCredentialsWithAssertion(http, clientId, assertion);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
