using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Consent.TestSupport;

namespace Consent.Portal.Tests.Stack;

/// <summary>
/// The survivor's pages on the running platform, page by page as a browser without JavaScript sees them: the grant
/// wizard carries its choices in posted forms, revoking and the never-share list ask for confirmation, agencies' requests
/// are answered. The demo survivor is shared with other tests, so each test finds what it created by its id.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class SurvivorPagesTests(PlatformStack stack)
{
    private const string Survivor = "demo-survivor";

    [Fact]
    public async Task Wizard_WithoutScript_CarriesTheChoicesInPostedForms_GrantsWithTheTextShown_ThenRevokeAsksAndRemovesIt()
    {
        var browser = await stack.SessionAsync(Survivor);

        var page = await browser.PageAsync("/my/share");
        var form = page.QuerySelector("form.wizard")!;
        form.GetAttribute("method").ShouldBe("post");
        (form.GetAttribute("action") ?? "/my/share").ShouldNotContain("?", customMessage: "no choice travels in the URL");
        page.QuerySelector("[data-step]")!.GetAttribute("data-step").ShouldBe("1");
        page.QuerySelector("input[name='Form.Agency'][value='bridge-legal']").ShouldNotBeNull();

        page = await StepAsync(browser, page, new() { ["Form.Agency"] = "bridge-legal", ["go"] = "2" });
        page.QuerySelector("[data-step]")!.GetAttribute("data-step").ShouldBe("2");
        page.QuerySelector("input[type=hidden][name='Form.Agency']")!.GetAttribute("value").ShouldBe("bridge-legal");
        var sensitive = page.QuerySelectorAll("[data-sensitive-group] input[type=checkbox]").Cast<IHtmlInputElement>().ToList();
        sensitive.Select(box => box.Value).ShouldBe(["hiv", "immigration-status", "mental-health", "sexual-violence", "substance-use"], ignoreOrder: true);
        sensitive.ShouldAllBe(box => !box.IsChecked, "sensitive records are off by default");
        page.QuerySelector("label[for='category-substance-use']")!.TextContent.ShouldBe("Alcohol or drug use treatment");
        page.Body!.TextContent.ShouldNotContain("SUD");

        page = await StepAsync(browser, page, new() { ["Form.Categories"] = StackBrowser.Many("documents", "case-management"), ["go"] = "3" });
        page.QuerySelector("[data-step]")!.GetAttribute("data-step").ShouldBe("3");
        page = await StepAsync(browser, page, new() { ["Form.Purposes"] = "legal-advocacy", ["Form.Length"] = "30", ["go"] = "4" });
        page.QuerySelector("[data-step]")!.GetAttribute("data-step").ShouldBe("4");
        page.QuerySelector("input[name='Form.Sources'][value='bridge-legal']").ShouldBeNull("the recipient is not its own source");
        page = await StepAsync(browser, page, new() { ["Form.SourcesChoice"] = "some", ["Form.Sources"] = "harbor-house", ["go"] = "5" });

        // The preview: who, what, from whom, why, until when, and the consent text the grant will name.
        page.QuerySelector("[data-step]")!.GetAttribute("data-step").ShouldBe("5");
        var preview = page.QuerySelector("[data-preview]")!.TextContent;
        preview.ShouldContain("Bridge Legal Aid");
        preview.ShouldContain("Documents");
        preview.ShouldContain("Your case plan");
        preview.ShouldContain("Harbor House Shelter");
        preview.ShouldContain("Legal help");
        preview.ShouldContain(DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy", System.Globalization.CultureInfo.InvariantCulture));
        page.QuerySelector("[data-preview-agreement]").ShouldNotBeNull();
        // Harbor House and Bridge Legal have no agreement to share: the API's preview says nothing would reach them yet.
        page.QuerySelector("[data-preview-now]")!.GetAttribute("data-preview-now").ShouldBe("none");
        int.Parse(page.QuerySelector("[data-preview-withheld]")!.GetAttribute("data-preview-withheld")!, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeGreaterThanOrEqualTo(5);
        var text = page.QuerySelector("[data-consent-text]")!;
        text.GetAttribute("data-consent-text").ShouldBe("general-sharing");
        text.GetAttribute("data-consent-version").ShouldBe("3");
        text.TextContent.ShouldContain("I can take this back at any time");
        page.QuerySelectorAll("input[type=hidden][name='Form.Categories']").Length.ShouldBe(2);

        var confirmed = await browser.SubmitAsync(page, "form.wizard", new Dictionary<string, string> { ["confirm"] = "yes" }, "/my/share");
        confirmed.StatusCode.ShouldBe(HttpStatusCode.Redirect, await confirmed.Content.ReadAsStringAsync());
        var location = confirmed.Headers.Location!.OriginalString;
        location.ShouldStartWith("/my?granted=");
        var grantId = Guid.Parse(location["/my?granted=".Length..]);

        // The same confirmation sent twice (a second tap, or Back and send again) grants nothing more and says why.
        var twice = await browser.SubmitAsync(page, "form.wizard", new Dictionary<string, string> { ["confirm"] = "yes" }, "/my/share");
        twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await twice.Content.ReadAsStringAsync()).ShouldContain("You already share exactly this with this agency");

        var mine = await browser.PageAsync(location);
        mine.QuerySelector("[data-granted]").ShouldNotBeNull();
        var card = mine.QuerySelector($"[data-grant='{grantId}']")!;
        card.ShouldNotBeNull("the new grant is listed");
        card.TextContent.ShouldContain("Bridge Legal Aid");
        card.TextContent.ShouldContain("Legal help");
        card.TextContent.ShouldContain("Harbor House Shelter");
        card.TextContent.ShouldContain("You said yes here on");

        // The API holds what the wizard sent, with the text version shown.
        var grant = await ApiGrantAsync(browser, grantId);
        grant.GetProperty("recipientAgencyId").GetString().ShouldBe("bridge-legal");
        grant.GetProperty("text").GetProperty("id").GetString().ShouldBe("general-sharing");
        grant.GetProperty("text").GetProperty("version").GetString().ShouldBe("3");
        grant.GetProperty("method").GetString().ShouldBe("portal");
        var days = (grant.GetProperty("end").GetDateTimeOffset() - grant.GetProperty("start").GetDateTimeOffset()).TotalDays;
        days.ShouldBeInRange(29.9, 30.1);

        // Revoke: the first click asks, the second does it, and the grant is gone from the list.
        var ask = await browser.SubmitAsync(mine, $"[data-grant='{grantId}'] form", new Dictionary<string, string>());
        ask.StatusCode.ShouldBe(HttpStatusCode.OK);
        var confirm = await Parse(ask);
        confirm.QuerySelector("[data-confirm-revoke]")!.GetAttribute("data-confirm-revoke").ShouldBe(grantId.ToString());
        confirm.QuerySelector("[data-confirm-revoke]")!.TextContent.ShouldContain("Bridge Legal Aid");
        (await ApiGrantAsync(browser, grantId)).GetProperty("status").GetString().ShouldBe("active", "asking changes nothing");

        var revoked = await browser.SubmitAsync(confirm, "[data-confirm-revoke] form", new Dictionary<string, string>());
        revoked.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        revoked.Headers.Location!.OriginalString.ShouldBe("/my?revoked=1");
        var after = await browser.PageAsync("/my?revoked=1");
        after.QuerySelector("[data-revoked]").ShouldNotBeNull();
        after.QuerySelector($"[data-grant='{grantId}']").ShouldBeNull("a revoked grant is no longer listed");
        (await ApiGrantAsync(browser, grantId)).GetProperty("status").GetString().ShouldBe("revoked");
    }

    [Fact]
    public async Task Wizard_NextWithoutAChoice_SaysWhatIsMissingBesideTheField_AndKeepsTheEarlierChoices()
    {
        var browser = await stack.SessionAsync(Survivor);
        var page = await browser.PageAsync("/my/share");
        page = await StepAsync(browser, page, new() { ["Form.Agency"] = "bridge-legal", ["go"] = "2" });

        var response = await browser.SubmitAsync(page, "form.wizard", new Dictionary<string, string> { ["go"] = "3" }, "/my/share");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var again = await Parse(response);
        again.QuerySelector("[data-step]")!.GetAttribute("data-step").ShouldBe("2");
        var error = again.QuerySelector("[data-error-for=categories]")!;
        error.TextContent.ShouldBe("Tick at least one kind of record.");
        again.QuerySelectorAll("fieldset").ShouldContain(f => (f.GetAttribute("aria-describedby") ?? "").Contains(error.Id!));
        again.QuerySelector("input[type=hidden][name='Form.Agency']")!.GetAttribute("value").ShouldBe("bridge-legal");
    }

    [Fact]
    public async Task Wizard_RefusedByTheApi_ShowsWhyBesideTheChoice_AndKeepsEverything()
    {
        var browser = await stack.SessionAsync(Survivor);
        var page = await browser.PageAsync("/my/share");
        page = await StepAsync(browser, page, new() { ["Form.Agency"] = "northside-clinic", ["go"] = "2" });
        page = await StepAsync(browser, page, new() { ["Form.Categories"] = "health", ["go"] = "3" });
        // An emergency grant lasts at most 30 days: six months is the API's to refuse.
        page = await StepAsync(browser, page, new() { ["Form.Purposes"] = "emergency", ["Form.Length"] = "180", ["go"] = "4" });
        page = await StepAsync(browser, page, new() { ["Form.SourcesChoice"] = "all", ["go"] = "5" });

        var refused = await browser.SubmitAsync(page, "form.wizard", new Dictionary<string, string> { ["confirm"] = "yes" }, "/my/share");

        refused.StatusCode.ShouldBe((HttpStatusCode)422);
        var shown = await Parse(refused);
        shown.QuerySelector("[data-grant-refused]").ShouldNotBeNull();
        shown.QuerySelector("[data-error-for=length]")!.TextContent.ShouldContain("longer than allowed");
        shown.QuerySelector("input[type=hidden][name='Form.Length']")!.GetAttribute("value").ShouldBe("180");
        shown.QuerySelector("input[type=hidden][name='Form.Purposes']")!.GetAttribute("value").ShouldBe("emergency");
        shown.QuerySelector("button.link-button[aria-describedby='length-error']").ShouldNotBeNull("the way back to the choice names the problem");
    }

    [Fact]
    public async Task NeverShareList_AddAndRemove_EachAfterAConfirmation_AndTheWizardNoLongerOffersTheAgency()
    {
        var browser = await stack.SessionAsync(Survivor);
        var page = await browser.PageAsync("/my/never");
        var offered = page.QuerySelectorAll("#never-agency option").Cast<IHtmlOptionElement>().Select(o => o.Value).Where(v => v.Length > 0).ToList();
        var agency = offered.Contains("lighthouse-counseling") ? "lighthouse-counseling" : offered.First();

        var ask = await browser.SubmitAsync(page, "form[data-add-form]", new Dictionary<string, string> { ["agencyId"] = agency });
        ask.StatusCode.ShouldBe(HttpStatusCode.OK);
        var confirm = await Parse(ask);
        confirm.QuerySelector("[data-confirm-add]")!.GetAttribute("data-confirm-add").ShouldBe(agency);
        (await browser.PageAsync("/my/never")).QuerySelector($"[data-agency='{agency}']").ShouldBeNull("asking changes nothing");

        var added = await browser.SubmitAsync(confirm, "[data-confirm-add] form", new Dictionary<string, string>());
        added.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        added.Headers.Location!.OriginalString.ShouldBe("/my/never?done=added");
        var listed = await browser.PageAsync("/my/never?done=added");
        var entry = listed.QuerySelector($"[data-agency='{agency}']")!;
        entry.ShouldNotBeNull();
        listed.QuerySelectorAll("#never-agency option").Cast<IHtmlOptionElement>().ShouldNotContain(o => o.Value == agency);
        (await browser.PageAsync("/my/share")).QuerySelector($"input[name='Form.Agency'][value='{agency}']").ShouldBeNull();

        var askRemove = await browser.SubmitAsync(listed, $"[data-agency='{agency}'] form", new Dictionary<string, string>());
        askRemove.StatusCode.ShouldBe(HttpStatusCode.OK);
        var confirmRemove = await Parse(askRemove);
        confirmRemove.QuerySelector("[data-confirm-remove]").ShouldNotBeNull();
        var removed = await browser.SubmitAsync(confirmRemove, "[data-confirm-remove] form", new Dictionary<string, string>());
        removed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await browser.PageAsync("/my/never?done=removed")).QuerySelector($"[data-agency='{agency}']").ShouldBeNull();
    }

    [Fact]
    public async Task NeverShareList_AddWithoutChoosing_SaysSoBesideTheField()
    {
        var browser = await stack.SessionAsync(Survivor);
        var page = await browser.PageAsync("/my/never");

        var response = await browser.SubmitAsync(page, "form[data-add-form]", new Dictionary<string, string> { ["agencyId"] = "" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var shown = await Parse(response);
        shown.QuerySelector("[data-error-for=agency]")!.TextContent.ShouldBe("Choose the agency to add.");
        shown.QuerySelector("#never-agency")!.GetAttribute("aria-describedby")!.ShouldContain("never-agency-error");
    }

    [Fact]
    public async Task Requests_AnAgencysRequestIsApprovedIntoAGrant_AnotherDeclined()
    {
        var browser = await stack.SessionAsync(Survivor);
        var toApprove = await AgencyRequestAsync("lighthouse-counseling", ["contact", "mental-health"], "care-coordination", 60);
        var toDecline = await AgencyRequestAsync("lighthouse-counseling", ["health"], "treatment", 30);

        var inbox = await browser.PageAsync("/my/requests");
        var card = inbox.QuerySelector($"[data-request='{toApprove}']")!;
        card.ShouldNotBeNull();
        card.TextContent.ShouldContain("Lighthouse Counseling");
        card.TextContent.ShouldContain("Mental health");
        card.TextContent.ShouldContain("60 days");
        card.QuerySelector("[data-consent-text]")!.GetAttribute("data-consent-text").ShouldBe("request-approval");
        inbox.Body!.TextContent.ShouldNotContain("care-coordination");

        var approved = await browser.SubmitAsync(inbox, $"[data-request='{toApprove}'] form[action*='Approve']", new Dictionary<string, string>());
        approved.StatusCode.ShouldBe(HttpStatusCode.Redirect, await approved.Content.ReadAsStringAsync());
        approved.Headers.Location!.OriginalString.ShouldBe("/my/requests?answered=approved");
        var afterApprove = await browser.PageAsync("/my/requests?answered=approved");
        afterApprove.QuerySelector($"[data-request='{toApprove}']").ShouldBeNull("an answered request leaves the waiting list");
        afterApprove.QuerySelector($"[data-answered-request='{toApprove}']")!.GetAttribute("data-state").ShouldBe("approved");

        var declined = await browser.SubmitAsync(afterApprove, $"[data-request='{toDecline}'] form[action*='Decline']", new Dictionary<string, string>());
        declined.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var afterDecline = await browser.PageAsync("/my/requests?answered=declined");
        afterDecline.QuerySelector($"[data-answered-request='{toDecline}']")!.GetAttribute("data-state").ShouldBe("declined");

        // The approval became a grant to the requesting agency, listed on My sharing; stopped again to leave things as they were.
        var grant = (await ApiGrantsAsync(browser)).Single(g => g.TryGetProperty("requestId", out var id) && id.ValueKind == JsonValueKind.String && id.GetGuid() == toApprove);
        var grantId = grant.GetProperty("id").GetGuid();
        var mine = await browser.PageAsync("/my");
        mine.QuerySelector($"[data-grant='{grantId}']")!.TextContent.ShouldContain("Lighthouse Counseling");
        var ask = await Parse(await browser.SubmitAsync(mine, $"[data-grant='{grantId}'] form", new Dictionary<string, string>()));
        (await browser.SubmitAsync(ask, "[data-confirm-revoke] form", new Dictionary<string, string>())).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Requests_AnsweringOneAlreadyAnswered_SaysSoOnTheRequest()
    {
        var browser = await stack.SessionAsync(Survivor);
        var request = await AgencyRequestAsync("bridge-legal", ["documents"], "legal-advocacy", 14);
        var inbox = await browser.PageAsync("/my/requests");
        (await browser.SubmitAsync(inbox, $"[data-request='{request}'] form[action*='Decline']", new Dictionary<string, string>()))
            .StatusCode.ShouldBe(HttpStatusCode.Redirect);

        // The same (now stale) page posted again: the API answers 409, shown beside the request.
        var again = await browser.SubmitAsync(inbox, $"[data-request='{request}'] form[action*='Decline']", new Dictionary<string, string>());

        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain("This request has already been answered.");
    }

    [Fact]
    public async Task WhoSawMyData_ShowsTheApisAccounting_InTheChosenLanguage()
    {
        var browser = await stack.SessionAsync(Survivor);

        var english = await browser.PageAsync("/my/seen?culture=en");
        english.QuerySelector("h1")!.TextContent.ShouldBe("Who saw my data");
        english.QuerySelector("main p")!.GetAttribute("lang").ShouldBe("en");

        var spanish = await browser.PageAsync("/my/seen?culture=es");
        spanish.QuerySelector("h1")!.TextContent.ShouldBe("Quién vio mis datos");
        spanish.QuerySelector("main p")!.GetAttribute("lang").ShouldBe("es");
        spanish.Body!.TextContent.ShouldContain("Solo aparecen las veces");
        await browser.PageAsync("/my?culture=en");
    }

    [Fact]
    public async Task WhoSawMyData_ListsAnAgencysRead_WithWhenWhoWhatAndWhy()
    {
        var browser = await stack.SessionAsync(Survivor);
        // A grant of the survivor's own lets the clinic see how to reach them (Harbor House and the clinic have an MOU).
        using var api = new HttpClient { BaseAddress = stack.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SurvivorTokenAsync(browser));
        var granted = await api.PostAsJsonAsync("api/survivors/sv-1001/consents", new
        {
            recipientAgencyId = "northside-clinic",
            sourceAgencyIds = new[] { "harbor-house" },
            categories = new[] { "contact" },
            purposes = new[] { "care-coordination" },
            end = DateTimeOffset.UtcNow.AddDays(2),
            consentTextId = "contact-sharing",
            consentTextVersion = "1",
        });
        var grant = await granted.Content.ReadFromJsonAsync<JsonElement>();
        granted.StatusCode.ShouldBe(HttpStatusCode.Created, grant.ToString());
        try
        {
            var before = (await browser.PageAsync("/my/seen")).QuerySelectorAll("[data-disclosure]").Length;
            using var clinic = new HttpClient { BaseAddress = stack.ApiUrl };
            clinic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AgencyTokenAsync("northside-clinic"));
            clinic.DefaultRequestHeaders.Add("X-Purpose-Of-Use", "COC");
            var read = await clinic.GetAsync("fhir/Patient?identifier=https://harbor-house.example/fhir/sid/case|HH-2026-0193");
            read.StatusCode.ShouldBe(HttpStatusCode.OK, await read.Content.ReadAsStringAsync());

            var seen = await browser.PageAsync("/my/seen");
            var items = seen.QuerySelectorAll("[data-disclosure]");
            items.Length.ShouldBeGreaterThan(before);
            var newest = items[0];
            newest.TextContent.ShouldContain("Northside Community Clinic");
            newest.TextContent.ShouldContain("Contact details");
            newest.TextContent.ShouldContain("Coordination of care");
            newest.QuerySelector("time")!.GetAttribute("datetime")!.ShouldStartWith(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            newest.TextContent.ShouldNotContain("HH-2026-0193");
        }
        finally
        {
            await api.PostAsync($"api/survivors/sv-1001/consents/{grant.GetProperty("id").GetGuid()}/revoke", null);
        }
    }

    [Fact]
    public async Task SurvivorPages_NeverPutTheSurvivorOrTheirChoicesInLinks()
    {
        var browser = await stack.SessionAsync(Survivor);
        foreach (var path in new[] { "/my", "/my/share", "/my/requests", "/my/seen", "/my/never" })
        {
            var page = await browser.PageAsync(path);
            foreach (var link in page.QuerySelectorAll("a[href], form[action]"))
            {
                var target = link.GetAttribute("href") ?? link.GetAttribute("action")!;
                target.ShouldNotContain("sv-1001", customMessage: path);
            }

            page.QuerySelectorAll("form").Where(f => f.GetAttribute("method") == "post")
                .ShouldAllBe(f => f.QuerySelector("input[name=__RequestVerificationToken]") != null, path + ": every form carries its antiforgery token");
        }
    }

    [Fact]
    public async Task WizardPreview_CountsWhatTheAgencyWouldReceiveToday_AsTheApiDecides()
    {
        var browser = await stack.SessionAsync(Survivor);
        var page = await browser.PageAsync("/my/share");
        page = await StepAsync(browser, page, new() { ["Form.Agency"] = "northside-clinic", ["go"] = "2" });
        page = await StepAsync(browser, page, new() { ["Form.Categories"] = StackBrowser.Many("case-management", "health"), ["go"] = "3" });
        page = await StepAsync(browser, page, new() { ["Form.Purposes"] = "treatment", ["go"] = "4" });
        page = await StepAsync(browser, page, new() { ["Form.SourcesChoice"] = "all", ["go"] = "5" });

        // The demo MOU lets Harbor House share case management and health with the clinic for treatment: the demo
        // survivor's episode of care and safety plan, and the blood pressure reading; the mental-health note stays.
        page.QuerySelector("[data-preview-now]")!.GetAttribute("data-preview-now").ShouldBe("some");
        var items = page.QuerySelectorAll("[data-preview-item]").Select(i => i.GetAttribute("data-preview-item")).ToList();
        items.ShouldContain("harbor-house/case-management");
        items.ShouldContain("harbor-house/health");
        items.ShouldNotContain(i => i!.EndsWith("/mental-health", StringComparison.Ordinal));
        page.QuerySelector("[data-preview-item='harbor-house/health']")!.TextContent.ShouldContain("Harbor House Shelter");
        page.QuerySelector("[data-preview-withheld]").ShouldNotBeNull();
    }

    private static async Task<IHtmlDocument> StepAsync(StackBrowser browser, IHtmlDocument page, Dictionary<string, string> fields)
    {
        var response = await browser.SubmitAsync(page, "form.wizard", fields, "/my/share");
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html.Length > 2000 ? html[..2000] : html);
        return await new HtmlParser().ParseDocumentAsync(html);
    }

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());

    /// <summary>The survivor's grants as the API holds them, read with the survivor's own token.</summary>
    private async Task<List<JsonElement>> ApiGrantsAsync(StackBrowser browser)
    {
        using var api = new HttpClient { BaseAddress = stack.ApiUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SurvivorTokenAsync(browser));
        return (await api.GetFromJsonAsync<List<JsonElement>>("api/survivors/sv-1001/consents"))!;
    }

    private async Task<JsonElement> ApiGrantAsync(StackBrowser browser, Guid grantId) =>
        (await ApiGrantsAsync(browser)).Single(g => g.GetProperty("id").GetGuid() == grantId);

    private string? survivorToken;

    /// <summary>
    /// A token of the demo survivor, as the portal gets one (code + PKCE), from the provider session the shared sign-in
    /// opened: the tests look at the API's own record of what the pages did.
    /// </summary>
    private async Task<string> SurvivorTokenAsync(StackBrowser browser)
    {
        if (survivorToken is null)
        {
            var (verifier, challenge) = BrowserLogin.Pkce();
            var redirect = new Uri(stack.PortalUrl, "callback/login/local").AbsoluteUri;
            var location = BrowserLogin.Location(await browser.Provider.GetAsync(BrowserLogin.AuthorizeUrl(challenge, redirect)));
            for (var hop = 0; hop < 5 && !location.StartsWith(redirect, StringComparison.Ordinal); hop++)
            {
                location = BrowserLogin.Location(await browser.Provider.GetAsync(location));
            }

            var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(location).Query)["code"].ToString();
            var answer = await browser.Provider.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = redirect,
                ["client_id"] = BrowserLogin.PortalClientId,
                ["code_verifier"] = verifier,
            }));
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            survivorToken = body.GetProperty("access_token").GetString()!;
        }

        return survivorToken;
    }

    private Task<string> AgencyTokenAsync(string agencyId) => SurvivorTestData.AgencyTokenAsync(stack, agencyId);

    private Task<Guid> AgencyRequestAsync(string agencyId, string[] categories, string purpose, int days) =>
        SurvivorTestData.AgencyRequestAsync(stack, agencyId, categories, purpose, days);
}
