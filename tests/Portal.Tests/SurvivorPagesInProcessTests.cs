using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Consent.Portal.Tests;

/// <summary>
/// The survivor's pages in-process, for what the demo platform does not show: when the consent API cannot be reached (no
/// API at all) each page says so (503), the wizard keeps every choice made so far, and a revocation that could not be sent
/// says nothing changed; and, against a real consent API of the test's own, a minor's open child-protection case is shown
/// as a basis of sharing.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class SurvivorPagesInProcessTests(Platform platform)
{
    [Theory]
    [InlineData("/my")]
    [InlineData("/my/share")]
    [InlineData("/my/requests")]
    [InlineData("/my/seen")]
    [InlineData("/my/never")]
    public async Task ApiDown_EachPageSaysSo_With503(string path)
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        var response = await browser.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var page = await Parse(response);
        page.QuerySelector("[data-api-unavailable]").ShouldNotBeNull();
        page.Body!.QuerySelector("a[href], button, input, select, textarea")!.Id.ShouldBe("quick-exit");
    }

    [Fact]
    public async Task ApiDown_DuringTheWizard_EveryChoiceIsKeptInTheForm_ToTryAgain()
    {
        // No API from the start: the step is posted with every choice in the form, as from a page opened while the API
        // still answered. The portal keeps no wizard state between steps (the choices travel in the form), so what is
        // asserted (503, each choice kept, the retry button) is the same as when the API stops between two steps.
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");
        var first = await Parse(await browser.GetAsync("/my/share"));

        var response = await browser.PostAsync("/my/share", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Token(first)),
            new("Form.Step", "3"),
            new("Form.Agency", "bridge-legal"),
            new("Form.Categories", "documents"),
            new("Form.Categories", "health"),
            new("Form.Purposes", "legal-advocacy"),
            new("Form.Length", "30"),
            new("go", "4"),
        ]));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var page = await Parse(response);
        page.QuerySelector("[data-api-unavailable]")!.TextContent.ShouldContain("What you chose so far is kept");
        Hidden(page, "Form.Agency").ShouldBe(["bridge-legal"]);
        Hidden(page, "Form.Categories").ShouldBe(["documents", "health"]);
        Hidden(page, "Form.Purposes").ShouldBe(["legal-advocacy"]);
        Hidden(page, "Form.Length").ShouldBe(["30"]);
        Hidden(page, "Form.Step").ShouldBe(["3"]);
        page.QuerySelector("button[data-retry]")!.GetAttribute("value").ShouldBe("3");
    }

    [Fact]
    public async Task ApiDown_WhenRevoking_SaysNothingChanged()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");
        var mine = await Parse(await browser.GetAsync("/my"));

        var response = await browser.PostAsync("/my?handler=Revoke", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Token(mine)),
            new("grantId", Guid.NewGuid().ToString()),
        ]));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await Parse(response)).QuerySelector("[data-revoke-refused] [data-api-unavailable]")!.TextContent.ShouldContain("Nothing was changed");
    }

    [Fact]
    public async Task Revoke_WithoutTheFormToken_IsRefused()
    {
        await using var portal = platform.PortalWithoutApi();
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        var response = await browser.PostAsync("/my?handler=Revoke", new FormUrlEncodedContent([new("grantId", Guid.NewGuid().ToString())]));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MySharing_ShowsAnOpenChildProtectionCase_AsABasis_WithItsAgencies_AndNoRevokeButton()
    {
        // An API of the test's own: the demo survivor is made a minor and gets cases and a never-share entry, which the
        // shared API's other tests must not see.
        await using var api = new ConsentApiHost(platform.Identity);
        await using var portal = new PortalHost(platform.Identity, api.Server.CreateHandler);
        await MakeTheDemoSurvivorAMinorWithCasesAsync(api);
        var browser = await PortalLogin.SignInAsync(portal, "demo-survivor");

        var page = await PortalLogin.PageAsync(browser, "/my");

        var cases = page.QuerySelectorAll("[data-case]");
        cases.Length.ShouldBe(1, "the closed case is not a basis any more");
        var open = cases[0];
        open.TextContent.ShouldContain("Child-protection case");
        open.TextContent.ShouldContain("Metro Police Department (police)");
        open.TextContent.ShouldContain("Child Protection, Region 4 (child protection)");
        open.TextContent.ShouldContain("Until the case is closed");
        open.TextContent.ShouldContain("gets nothing: on your never-share list");
        open.QuerySelector("form").ShouldBeNull("a statutory basis is not the survivor's to revoke");
        open.TextContent.ShouldNotContain("CASE-", Case.Insensitive);
        var paths = portal.ApiCalls.Select(call => call.PathAndQuery).ToList();
        paths.ShouldContain("/api/survivors/sv-1001/statutory-bases");
        paths.ShouldNotContain("/api/me", "the survivor's id comes from the session");
    }

    /// <summary>
    /// What staff and the survivor do on the real API for a minor's record: Harbor House's advocate records the demo
    /// survivor's date of birth (fifteen years ago), files a child-protection report naming the police, child protection
    /// and the survivor's therapist, and an older one that is then closed; the survivor puts the therapist's agency on
    /// their never-share list.
    /// </summary>
    private static async Task MakeTheDemoSurvivorAMinorWithCasesAsync(ConsentApiHost api)
    {
        const string Record = "/api/survivors/sv-1001";
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        using var advocate = await api.AsAsync("demo-advocate");
        await ExpectAsync(await advocate.PutAsJsonAsync(Record, new { dateOfBirth = today.AddYears(-15) }), HttpStatusCode.OK);

        var closed = await ExpectAsync(await advocate.PostAsJsonAsync(Record + "/statutory-bases", new
        {
            reporterRole = "advocate",
            reportDate = today.AddDays(-20),
            caseNumber = "CASE-0001",
            involvedAgencies = new[] { new { agencyId = "metro-police", role = "law-enforcement" } },
        }), HttpStatusCode.Created);
        await ExpectAsync(await advocate.PostAsJsonAsync($"{Record}/statutory-bases/{closed.GetProperty("id").GetString()}/close",
            new { reason = "Case closed." }), HttpStatusCode.OK);
        await ExpectAsync(await advocate.PostAsJsonAsync(Record + "/statutory-bases", new
        {
            reporterRole = "advocate",
            reportDate = today,
            caseNumber = "CASE-0042",
            involvedAgencies = new[]
            {
                new { agencyId = "metro-police", role = "law-enforcement" },
                new { agencyId = "dcf-region-4", role = "child-protection" },
                new { agencyId = "lighthouse-counseling", role = "therapist" },
            },
        }), HttpStatusCode.Created);

        using var survivor = await api.AsAsync("demo-survivor");
        await ExpectAsync(await survivor.PostAsJsonAsync(Record + "/deny-list", new { agencyId = "lighthouse-counseling", reason = "Not them." }),
            HttpStatusCode.Created);
    }

    private static async Task<JsonElement> ExpectAsync(HttpResponseMessage answer, HttpStatusCode expected)
    {
        using (answer)
        {
            var body = await answer.Content.ReadAsStringAsync();
            answer.StatusCode.ShouldBe(expected, body);
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    private static string Token(IHtmlDocument page) =>
        page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

    private static List<string> Hidden(IHtmlDocument page, string name) =>
        [.. page.QuerySelectorAll($"form.wizard input[type=hidden][name='{name}']").Select(input => input.GetAttribute("value")!)];

    private static async Task<IHtmlDocument> Parse(HttpResponseMessage response) =>
        await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
}
