using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Consent.TestSupport;
using Microsoft.Playwright;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The case-manager pages on the running platform, as demo-advocate of Harbor House: each test enrols its own survivors
/// through the pages and asserts only on what it made.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class AdvocatePagesBrowserTests(PlatformStack stack, Browsers browsers)
{
    private const string Advocate = "demo-advocate";

    private static string Today(int addDays = 0, int addYears = 0) =>
        DateTime.UtcNow.Date.AddYears(addYears).AddDays(addDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Advocate_EnrollsAMinor_SetsWhoDecides_RecordsWitnessedConsent_FilesAndClosesAChildProtectionCase()
    {
        var page = await browsers.SignedInPhoneAsync(stack, Advocate);
        await using var context = page.Context;
        var dateOfBirth = Today(addYears: -12, addDays: -40);

        // The agency's survivors, then enrolment.
        await page.GotoAsync(Url("advocate"));
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Survivors");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-survivors");
        await page.ClickAsync("a[data-enroll-link]");
        await page.WaitForPageAsync(Url("advocate/enroll"));
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-enroll");
        await page.SelectOptionAsync("#preferredLanguage", "es");
        await page.FillAsync("#dateOfBirth", dateOfBirth);
        await page.ClickAsync("form[data-enroll-form] button[type=submit]");

        // The new survivor's page: addressed by the pseudonymous id alone; under 18 and nobody decides for them yet.
        await page.WaitForPageAsync(url => url.Contains("/advocate/survivors/sv-", StringComparison.Ordinal));
        var survivorId = SurvivorIdIn(page.Url);
        page.Url.ShouldNotContain(dateOfBirth);
        var survivorUrl = Url("advocate/survivors/" + survivorId);
        (await page.Locator("[data-done]").GetAttributeAsync("data-done")).ShouldBe("enrolled");
        (await page.Locator("[data-minor]").GetAttributeAsync("data-minor")).ShouldBe("true");
        (await page.Locator("[data-record] [data-needs-decision-maker]").CountAsync()).ShouldBe(1);
        (await page.Locator("[data-language]").GetAttributeAsync("data-language")).ShouldBe("es");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-survivor-enrolled");

        // Who decides: the custodial agency, by custody order.
        await page.ClickAsync("a[data-decision-maker-link]");
        await page.WaitForPageAsync(survivorUrl + "/decision-maker");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-decision-maker");
        await page.CheckAsync("#kind-custodial-agency");
        await page.FillAsync("#reference", "CO-" + survivorId);
        await page.FillAsync("#establishedBy", "custody order");
        await page.SelectOptionAsync("#agencyId", "dcf-region-4");
        await page.ClickAsync("form[data-decision-maker-form] button[type=submit]");
        await page.WaitForPageAsync(survivorUrl + "?done=decision-maker");
        (await page.Locator("[data-decision-maker]").GetAttributeAsync("data-decision-maker")).ShouldBe("custodial-agency");
        (await page.Locator("[data-decision-maker]").InnerTextAsync()).ShouldContain("Child Protection, Region 4");
        (await page.Locator("[data-needs-decision-maker]").CountAsync()).ShouldBe(0);

        // Witnessed consent of the decision-maker, the consent text shown in the survivor's language (Spanish).
        await page.ClickAsync("a[data-record-consent-link]");
        await page.WaitForPageAsync(survivorUrl + "/consent");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-record-consent");
        (await page.Locator("[data-consent-text='general-sharing:3'] .text-body").GetAttributeAsync("lang")).ShouldBe("es");
        (await page.Locator("[data-consent-text='general-sharing:3'] label").InnerTextAsync()).ShouldContain("Compartir mi información");
        (await page.IsCheckedAsync("#method-witnessed-paper")).ShouldBeTrue("signed on paper is the usual way and comes checked");
        (await page.IsCheckedAsync("#category-mental-health")).ShouldBeFalse("sensitive records are never ticked by default");
        await page.SelectOptionAsync("#recipientAgencyId", "northside-clinic");
        await page.CheckAsync("#category-contact");
        await page.CheckAsync("#category-case-management");
        await page.CheckAsync("#purpose-care-coordination");
        await page.CheckAsync("#text-general-sharing-3");
        await page.ClickAsync("form[data-consent-form] button[type=submit]");
        await page.WaitForPageAsync(survivorUrl + "?done=consent");

        var grant = page.Locator("[data-grants] [data-grant]");
        (await grant.CountAsync()).ShouldBe(1);
        (await grant.GetAttributeAsync("data-method")).ShouldBe("witnessed-paper");
        (await grant.GetAttributeAsync("data-status")).ShouldBe("active");
        var grantText = await grant.InnerTextAsync();
        grantText.ShouldContain("Northside Community Clinic");
        grantText.ShouldContain("Contact details");
        grantText.ShouldContain("Coordinating care between agencies");
        grantText.ShouldContain("decided by the decision-maker");
        (await grant.Locator("[data-text]").GetAttributeAsync("data-text")).ShouldBe("general-sharing:3");
        (await grant.Locator("[data-text]").InnerTextAsync()).ShouldContain("Español");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-survivor-with-consent");

        // No agency has asked for anything yet: the requests page says so.
        await page.ClickAsync("a[data-requests-link]");
        await page.WaitForPageAsync(survivorUrl + "/requests");
        (await page.Locator("[data-no-requests]").CountAsync()).ShouldBe(1);
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-requests");

        // A 51A report with child protection and the police on the case.
        await page.GotoAsync(survivorUrl);
        await page.ClickAsync("a[data-file-report-link]");
        await page.WaitForPageAsync(survivorUrl + "/report");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-report");
        (await page.InputValueAsync("#reportDate")).ShouldBe(Today());
        var caseNumber = "51A-" + survivorId[3..];
        await page.FillAsync("#caseNumber", caseNumber);
        await page.SelectOptionAsync("#involved-child-protection", "dcf-region-4");
        await page.SelectOptionAsync("#involved-law-enforcement", "metro-police");
        await page.ClickAsync("form[data-report-form] button[type=submit]");
        await page.WaitForPageAsync(survivorUrl + "?done=report");

        var filed = page.Locator("[data-cases] [data-case]");
        (await filed.CountAsync()).ShouldBe(1);
        (await filed.GetAttributeAsync("data-open")).ShouldBe("true");
        var caseText = await filed.InnerTextAsync();
        caseText.ShouldContain(caseNumber);
        caseText.ShouldContain("Child Protection, Region 4 (Child protection)");
        caseText.ShouldContain("Metro Police Department (Police)");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-survivor-case-open");

        // Closing the case ends the basis.
        await page.FillAsync("form[data-close-form] textarea", "Case closed by child protection");
        await page.ClickAsync("form[data-close-form] button[type=submit]");
        await page.WaitForPageAsync(survivorUrl + "?done=closed");
        (await page.Locator("[data-cases] [data-case]").GetAttributeAsync("data-open")).ShouldBe("false");
        (await page.Locator("form[data-close-form]").CountAsync()).ShouldBe(0);
        (await page.Locator("[data-cases] [data-case]").InnerTextAsync()).ShouldContain("Case closed by child protection");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-survivor-case-closed");

        // The agency's list now holds the survivor, linked by the pseudonymous id; nothing else about them is in a URL.
        await page.GotoAsync(Url("advocate"));
        (await page.Locator($"[data-survivor='{survivorId}'] a").GetAttributeAsync("href")).ShouldBe("/advocate/survivors/" + survivorId);
        var hrefs = await page.EvalOnSelectorAllAsync<string[]>("a[href]", "links => links.map(a => a.getAttribute('href'))");
        hrefs.ShouldAllBe(href => !href.Contains(dateOfBirth) && !href.Contains(caseNumber));
    }

    [Theory]
    [InlineData("es", "Sobreviviente", "Casos de protección infantil (51A)")]
    [InlineData("ko", "생존자", "아동 보호 사건(51A)")]
    public async Task SurvivorPages_SpeakSpanishAndKorean(string culture, string heading, string casesTitle)
    {
        var page = await browsers.SignedInPhoneAsync(stack, Advocate);
        await using var context = page.Context;
        await page.GotoAsync(Url("advocate/enroll?culture=" + culture));
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe(culture);
        await page.FillAsync("#dateOfBirth", Today(addYears: -9));
        await page.ClickAsync("form[data-enroll-form] button[type=submit]");
        await page.WaitForPageAsync(url => url.Contains("/advocate/survivors/sv-", StringComparison.Ordinal));

        (await page.Locator("h1").InnerTextAsync()).ShouldStartWith(heading);
        (await page.Locator("#cases-title").InnerTextAsync()).ShouldBe(casesTitle);
        (await page.Locator("[data-language]").GetAttributeAsync("data-language")).ShouldBe(culture, "enrolment offers the reader's language first");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-survivor-" + culture);

        await page.ClickAsync("a[data-record-consent-link]");
        await page.WaitForSelectorAsync("form[data-consent-form]");
        (await page.Locator("[data-minor-notice]").InnerTextAsync()).ShouldNotContain("under 18", Case.Insensitive);
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-record-consent-" + culture);
    }

    [Fact]
    public async Task VerbalConsent_LongerThan30Days_ShowsTheApisRefusalBesideTheLastDay_AndKeepsWhatWasTyped()
    {
        var session = await stack.SessionAsync(Advocate);
        var survivorId = await EnrollAsync(session, "en", Today(addYears: -30));
        var consentUrl = $"/advocate/survivors/{survivorId}/consent";
        var lastDay = Today(addDays: 45);

        var form = await session.PageAsync(consentUrl);
        var answer = await session.SubmitAsync(form, "form[data-consent-form]", new Dictionary<string, string>
        {
            ["Method"] = "verbal",
            ["RecipientAgencyId"] = "bridge-legal",
            ["Categories"] = "contact",
            ["Purposes"] = "legal-advocacy",
            ["End"] = lastDay,
            ["ConsentText"] = "general-sharing:3",
        }, consentUrl);

        answer.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, "the page mirrors the API's refusal");
        var page = await Parse(answer);
        page.QuerySelector("[data-refused]")!.GetAttribute("data-refused").ShouldBe("verbal-consent-too-long");
        var error = page.QuerySelector("#end-error").ShouldNotBeNull("the refusal is beside the last day");
        error.TextContent.ShouldContain("30 days");
        var end = (IHtmlInputElement)page.QuerySelector("#end")!;
        end.Value.ShouldBe(lastDay);
        end.GetAttribute("aria-invalid").ShouldBe("true");
        end.GetAttribute("aria-describedby")!.Split(' ').ShouldContain("end-error");
        page.QuerySelector("a[href='#end']").ShouldNotBeNull("the summary links to the field");

        // Everything else as it was typed.
        ((IHtmlInputElement)page.QuerySelector("#method-verbal")!).IsChecked.ShouldBeTrue();
        ((IHtmlSelectElement)page.QuerySelector("#recipientAgencyId")!).Value.ShouldBe("bridge-legal");
        ((IHtmlInputElement)page.QuerySelector("#category-contact")!).IsChecked.ShouldBeTrue();
        ((IHtmlInputElement)page.QuerySelector("#purpose-legal-advocacy")!).IsChecked.ShouldBeTrue();
        ((IHtmlInputElement)page.QuerySelector("#text-general-sharing-3")!).IsChecked.ShouldBeTrue();

        // Nothing was recorded.
        var survivor = await session.PageAsync($"/advocate/survivors/{survivorId}");
        survivor.QuerySelector("[data-no-grants]").ShouldNotBeNull();

        // Within 30 days the same verbal consent is recorded.
        form = await session.PageAsync(consentUrl);
        answer = await session.SubmitAsync(form, "form[data-consent-form]", new Dictionary<string, string>
        {
            ["Method"] = "verbal",
            ["RecipientAgencyId"] = "bridge-legal",
            ["Categories"] = "contact",
            ["Purposes"] = "legal-advocacy",
            ["End"] = Today(addDays: 20),
            ["ConsentText"] = "general-sharing:3",
        }, consentUrl);
        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        answer.Headers.Location!.OriginalString.ShouldBe($"/advocate/survivors/{survivorId}?done=consent");
        survivor = await session.PageAsync($"/advocate/survivors/{survivorId}");
        survivor.QuerySelector("[data-grant][data-method='verbal'][data-status='active']").ShouldNotBeNull();
    }

    [Fact]
    public async Task ChildProtectionReport_ForAnAdult_IsRefusedBesideTheReportDate()
    {
        var session = await stack.SessionAsync(Advocate);
        var survivorId = await EnrollAsync(session, "en", Today(addYears: -25));
        var reportUrl = $"/advocate/survivors/{survivorId}/report";
        var form = await session.PageAsync(reportUrl);
        var answer = await session.SubmitAsync(form, "form[data-report-form]", new Dictionary<string, string>
        {
            ["CaseNumber"] = "51A-adult-" + survivorId[3..],
            ["Involved[child-protection]"] = "dcf-region-4",
        }, reportUrl);

        answer.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var page = await Parse(answer);
        page.QuerySelector("#reportDate-error")!.TextContent.ShouldContain("under 18");
        ((IHtmlInputElement)page.QuerySelector("#caseNumber")!).Value.ShouldBe("51A-adult-" + survivorId[3..]);
        ((IHtmlSelectElement)page.QuerySelector("#involved-child-protection")!).Value.ShouldBe("dcf-region-4");
    }

    [Fact]
    public async Task ASurvivorTheAgencyDoesNotWorkWith_LooksLikeOneThatDoesNotExist()
    {
        var session = await stack.SessionAsync(Advocate);
        foreach (var path in new[] { "/advocate/survivors/sv-000000000000", "/advocate/survivors/sv-000000000000/consent" })
        {
            var response = await session.Portal.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            var page = await Parse(response);
            page.QuerySelector("[data-survivor-not-found]").ShouldNotBeNull(path);
            page.QuerySelector("form[data-consent-form]").ShouldBeNull(path);
        }
    }

    [Fact]
    public async Task Enrolment_WithADateOfBirthInTheFuture_IsRefusedBesideTheField()
    {
        var session = await stack.SessionAsync(Advocate);
        var form = await session.PageAsync("/advocate/enroll");
        var future = Today(addDays: 10);
        var answer = await session.SubmitAsync(form, "form[data-enroll-form]",
            new Dictionary<string, string> { ["PreferredLanguage"] = "ko", ["DateOfBirth"] = future }, "/advocate/enroll");

        answer.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var page = await Parse(answer);
        page.QuerySelector("#dateOfBirth-error").ShouldNotBeNull();
        ((IHtmlInputElement)page.QuerySelector("#dateOfBirth")!).Value.ShouldBe(future);
        ((IHtmlSelectElement)page.QuerySelector("#preferredLanguage")!).Value.ShouldBe("ko");
    }

    [Fact]
    public async Task Requests_AreAnsweredWithTheSurvivorPresent_ApprovedAsWitnessedConsent_OrDeclined()
    {
        var session = await stack.SessionAsync(Advocate);
        var survivorId = await EnrollAsync(session, "ko", Today(addYears: -33));
        var approve = await AskAsync(survivorId, "northside-clinic", "care-coordination", 90, "To coordinate the follow-up visit");
        var decline = await AskAsync(survivorId, "bridge-legal", "legal-advocacy", 60, "To prepare the hearing");
        var requestsUrl = Url($"advocate/survivors/{survivorId}/requests");

        var page = await browsers.SignedInPhoneAsync(stack, Advocate);
        await using var context = page.Context;
        await page.GotoAsync(Url($"advocate/survivors/{survivorId}?culture=en"));
        (await page.Locator("[data-waiting]").GetAttributeAsync("data-waiting")).ShouldBe("2");
        await page.ClickAsync("a[data-requests-link]");
        await page.WaitForPageAsync(requestsUrl);
        var asked = page.Locator($"[data-request='{approve}']");
        (await asked.InnerTextAsync()).ShouldContain("Northside Community Clinic");
        (await asked.InnerTextAsync()).ShouldContain("To coordinate the follow-up visit");
        (await asked.Locator(".text-body").First.GetAttributeAsync("lang")).ShouldBe("ko", "the text is shown in the survivor's language");
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-requests-waiting");

        // Said aloud, for 90 days: the API refuses (verbal consent lasts 30 days at most), beside how it was given.
        await asked.Locator("input[name=Method][value=verbal]").CheckAsync();
        await asked.Locator("input[name=ConsentText][value='request-approval:1']").CheckAsync();
        await asked.Locator("form[data-approve-form] button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync("[data-refused='verbal-consent-too-long']");
        asked = page.Locator($"[data-request='{approve}']");
        (await asked.Locator("[data-error-for=method]").InnerTextAsync()).ShouldContain("30 days");
        (await asked.Locator("input[name=Method][value=verbal]").IsCheckedAsync()).ShouldBeTrue("what was chosen is kept");
        (await asked.Locator("input[name=ConsentText][value='request-approval:1']").IsCheckedAsync()).ShouldBeTrue();
        await PageChecks.ShouldBeAGoodPageAsync(page, "advocate-requests-refused");

        // Signed on paper: approved, and the grant the clinic asked for is on the survivor's page.
        await asked.Locator("input[name=Method][value=witnessed-paper]").CheckAsync();
        await asked.Locator("form[data-approve-form] button[type=submit]").ClickAsync();
        await page.WaitForPageAsync(Url($"advocate/survivors/{survivorId}?done=approved"));
        var grant = page.Locator("[data-grants] [data-grant]");
        (await grant.CountAsync()).ShouldBe(1);
        (await grant.GetAttributeAsync("data-method")).ShouldBe("witnessed-paper");
        (await grant.InnerTextAsync()).ShouldContain("Northside Community Clinic");
        (await grant.Locator("[data-text]").GetAttributeAsync("data-text")).ShouldBe("request-approval:1");
        (await page.Locator("[data-waiting]").GetAttributeAsync("data-waiting")).ShouldBe("1");

        // Declined: nothing is granted.
        await page.GotoAsync(requestsUrl);
        var declined = page.Locator($"[data-request='{decline}']");
        await declined.Locator("form[data-decline-form] textarea").FillAsync("Not now");
        await declined.Locator("form[data-decline-form] button[type=submit]").ClickAsync();
        await page.WaitForPageAsync(Url($"advocate/survivors/{survivorId}?done=declined"));
        (await page.Locator("[data-grants] [data-grant]").CountAsync()).ShouldBe(1);
        (await page.Locator("[data-waiting]").GetAttributeAsync("data-waiting")).ShouldBe("0");
        await page.GotoAsync(requestsUrl);
        (await page.Locator($"[data-request='{approve}']").GetAttributeAsync("data-state")).ShouldBe("approved");
        (await page.Locator($"[data-request='{decline}']").GetAttributeAsync("data-state")).ShouldBe("declined");
        (await page.Locator("form[data-approve-form], form[data-decline-form]").CountAsync()).ShouldBe(0, "answered requests cannot be answered again");
    }

    /// <summary>An agency's own system asks the survivor for access, as agencies do (client credentials, the demo client's secret).</summary>
    private async Task<Guid> AskAsync(string survivorId, string agencyId, string purpose, int days, string reason)
    {
        var client = DemoClient.AgencySystemIn(stack.DataDirectory, agencyId);
        using var identity = new HttpClient { BaseAddress = stack.IdentityUrl };
        var token = await TokenRequests.ClientCredentialsWithSecret(identity, client.ClientId, client.ClientSecret);
        token.StatusCode.ShouldBe(HttpStatusCode.OK, await token.Content.ReadAsStringAsync());
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();

        using var api = new HttpClient { BaseAddress = stack.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var response = await api.PostAsJsonAsync("api/consent-requests",
            new { survivorId, categories = new[] { "contact" }, purpose, reason, requestedDays = days });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Enrols through the page without JavaScript; returns the pseudonymous id the API gave.</summary>
    private static async Task<string> EnrollAsync(StackBrowser session, string language, string dateOfBirth)
    {
        var form = await session.PageAsync("/advocate/enroll");
        var answer = await session.SubmitAsync(form, "form[data-enroll-form]",
            new Dictionary<string, string> { ["PreferredLanguage"] = language, ["DateOfBirth"] = dateOfBirth }, "/advocate/enroll");
        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect, await answer.Content.ReadAsStringAsync());
        var location = answer.Headers.Location!.OriginalString;
        location.ShouldNotContain(dateOfBirth);
        return SurvivorIdIn(location);
    }

    private static string SurvivorIdIn(string url) =>
        SurvivorPath().Match(url) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("No survivor in " + url);

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    private string Url(string path) => new Uri(stack.PortalUrl, path).AbsoluteUri;

    [GeneratedRegex("/advocate/survivors/(sv-[0-9a-f]+)")]
    private static partial Regex SurvivorPath();
}
