using System.Net;

namespace Consent.Api.Tests;

/// <summary>The deny list overrides grants: nothing new can be granted to a named agency, and old grants show as overridden.</summary>
public sealed class DenyListTests(ApiHost api) : IClassFixture<ApiHost>
{
    private const string DenyList = "/api/survivors/sv-1001/deny-list";

    [Fact]
    public async Task GrantToADenyListedAgency_IsRefused_AndEarlierGrantsAreOverridden()
    {
        var survivor = await api.Parties.Survivor();
        var earlier = await (await survivor.Post("/api/survivors/sv-1001/consents", ConsentsTests.Grant(recipient: "metro-police", purposes: ["law-enforcement"])))
            .Json(HttpStatusCode.Created);
        earlier.GetProperty("overriddenByDenyList").GetBoolean().ShouldBeFalse();

        var entry = await (await survivor.Post(DenyList, new { agencyId = "metro-police", reason = "someone there knows my trafficker" })).Json(HttpStatusCode.Created);
        await (await survivor.Post(DenyList, new { agencyId = "metro-police" })).Problem(HttpStatusCode.Conflict, "deny-entry-exists");

        await (await survivor.Post("/api/survivors/sv-1001/consents", ConsentsTests.Grant(recipient: "metro-police", purposes: ["law-enforcement"])))
            .Problem(HttpStatusCode.UnprocessableEntity, "recipient-on-deny-list");
        var view = await (await survivor.GetAsync($"/api/survivors/sv-1001/consents/{earlier.GetProperty("id").GetString()}")).Json();
        view.GetProperty("overriddenByDenyList").GetBoolean().ShouldBeTrue();

        (await (await survivor.GetAsync(DenyList)).Json()).GetArrayLength().ShouldBe(1);
        await (await survivor.DeleteAsync($"{DenyList}/{entry.GetProperty("id").GetString()}")).Json();
        (await (await survivor.GetAsync(DenyList)).Json()).GetArrayLength().ShouldBe(0);
        await (await survivor.DeleteAsync($"{DenyList}/{entry.GetProperty("id").GetString()}")).Problem(HttpStatusCode.NotFound, "deny-entry-not-found");
    }

    [Fact]
    public async Task StaffMember_NamedOnTheDenyList_NoLongerFindsTheSurvivor_WhileColleaguesStillDo()
    {
        var named = await api.Parties.As(await api.Parties.CreateUserAsync("advocate", "harbor-house"));
        var subject = (await (await named.GetAsync("/api/me")).Json()).GetProperty("subject").GetString()!;
        var advocate = await api.Parties.Advocate();
        (await named.GetAsync("/api/survivors/sv-1001")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var unknown = await (await named.GetAsync("/api/survivors/sv-nobody")).Problem(HttpStatusCode.NotFound, "survivor-not-found");

        var survivor = await api.Parties.Survivor();
        var entry = await (await survivor.Post(DenyList, new { staffUserId = subject, reason = "related to my ex" })).Json(HttpStatusCode.Created);
        try
        {
            foreach (var path in new[] { "/api/survivors/sv-1001", "/api/survivors/sv-1001/consents", DenyList })
            {
                var hidden = await (await named.GetAsync(path)).Problem(HttpStatusCode.NotFound, "survivor-not-found");
                Http.WithoutTrace(hidden).ShouldBe(Http.WithoutTrace(unknown));
            }

            (await (await named.GetAsync("/api/survivors")).Json()).EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldNotContain("sv-1001");
            (await advocate.GetAsync("/api/survivors/sv-1001")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await (await advocate.GetAsync("/api/survivors")).Json()).EnumerateArray().Select(s => s.GetProperty("id").GetString()).ShouldContain("sv-1001");
        }
        finally
        {
            await (await survivor.DeleteAsync($"{DenyList}/{entry.GetProperty("id").GetString()}")).Json();
        }

        (await named.GetAsync("/api/survivors/sv-1001")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task StaffMember_CanBeNamed_AndBadEntriesAreRefused()
    {
        var advocate = await api.Parties.Advocate();
        await (await advocate.Post(DenyList, new { staffUserId = "user-123" })).Json(HttpStatusCode.Created);
        await (await advocate.Post(DenyList, new { agencyId = "nowhere" })).Problem(HttpStatusCode.UnprocessableEntity, "unknown-agency");
        await (await advocate.Post(DenyList, new { agencyId = "bridge-legal", staffUserId = "user-9" })).Problem(HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task OthersDenyLists_AreInvisible_AndComplianceCannotChangeThem()
    {
        var other = await api.Parties.As(await api.Parties.CreateUserAsync("survivor", survivorId: "sv-someone-else"));
        var foreign = await (await other.GetAsync(DenyList)).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var missing = await (await other.GetAsync("/api/survivors/sv-nobody/deny-list")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));

        var compliance = await api.Parties.Compliance();
        (await compliance.GetAsync(DenyList)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await compliance.Post(DenyList, new { agencyId = "bridge-legal" })).Problem(HttpStatusCode.Forbidden, "read-only");
    }
}
