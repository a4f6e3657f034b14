using System.Net;
using System.Text.Json;

namespace Consent.Api.Tests;

/// <summary>Child-protection (51A) bases: only for minors at the report date, with the involved agencies, until closed.</summary>
public sealed class StatutoryBasesTests(ApiHost api) : IClassFixture<ApiHost>
{
    private static string Today(int daysAgo = 0) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-daysAgo).ToString("yyyy-MM-dd");

    private static object Report(string date, string[]? agencies = null) => new
    {
        reporterRole = "mandated-reporter",
        reportDate = date,
        caseNumber = "51A-2026-0042",
        involvedAgencies = (agencies ?? ["metro-police", "dcf-region-4"]).Select((a, i) => new
        {
            agencyId = a,
            role = a switch { "metro-police" => "law-enforcement", "dcf-region-4" => "child-protection", "northside-clinic" => "medical-provider", _ => "therapist" },
        }),
    };

    [Fact]
    public async Task Advocate_FilesForAMinor_AndClosingEndsTheBasis()
    {
        var advocate = await api.Parties.Advocate();
        var filed = await (await advocate.Post("/api/survivors/sv-1002/statutory-bases", Report(Today(), ["metro-police", "dcf-region-4", "lighthouse-counseling"])))
            .Json(HttpStatusCode.Created);
        filed.GetProperty("kind").GetString().ShouldBe("51A");
        filed.GetProperty("open").GetBoolean().ShouldBeTrue();
        filed.GetProperty("purpose").GetString().ShouldBe("child-protection");
        filed.GetProperty("reporterAgencyId").GetString().ShouldBe("harbor-house");
        filed.GetProperty("decisionMaker").GetProperty("kind").GetString().ShouldBe("custodial-agency");
        filed.GetProperty("involvedAgencies").EnumerateArray().Select(a => a.GetProperty("role").GetString())
            .ShouldBe(["law-enforcement", "child-protection", "therapist"]);
        var url = $"/api/survivors/sv-1002/statutory-bases/{filed.GetProperty("id").GetString()}";

        var closed = await (await advocate.Post(url + "/close", new { reason = "case closed by court" })).Json();
        closed.GetProperty("open").GetBoolean().ShouldBeFalse();
        await (await advocate.Post(url + "/close", new { })).Problem(HttpStatusCode.Conflict, "statutory-basis-closed");
        (await (await advocate.GetAsync("/api/survivors/sv-1002/statutory-bases")).Json()).EnumerateArray()
            .ShouldContain(b => b.GetProperty("id").GetString() == filed.GetProperty("id").GetString() && !b.GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task Adult_OrSomeoneWhoTurned18BeforeTheReport_IsRefused()
    {
        var advocate = await api.Parties.Advocate();
        await (await advocate.Post("/api/survivors/sv-1001/statutory-bases", Report(Today())))
            .Problem(HttpStatusCode.UnprocessableEntity, "not-a-minor");

        // Turned 18 ten days ago: a report dated today is refused, one dated before the birthday is accepted.
        var born = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-18).AddDays(-10).ToString("yyyy-MM-dd");
        var id = (await (await advocate.Post("/api/survivors", new { dateOfBirth = born })).Json(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await advocate.Post($"/api/survivors/{id}/statutory-bases", Report(Today()))).Problem(HttpStatusCode.UnprocessableEntity, "not-a-minor");
        await (await advocate.Post($"/api/survivors/{id}/statutory-bases", Report(Today(20)))).Json(HttpStatusCode.Created);

        var noBirthDate = (await (await advocate.Post("/api/survivors", new { })).Json(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await advocate.Post($"/api/survivors/{noBirthDate}/statutory-bases", Report(Today())))
            .Problem(HttpStatusCode.UnprocessableEntity, "date-of-birth-required");
    }

    [Fact]
    public async Task BadReports_AreRefused()
    {
        var advocate = await api.Parties.Advocate();
        await (await advocate.Post("/api/survivors/sv-1002/statutory-bases", Report(Today(), ["nowhere"])))
            .Problem(HttpStatusCode.UnprocessableEntity, "unknown-agency");
        await (await advocate.Post("/api/survivors/sv-1002/statutory-bases", Report(Today(-3))))
            .Problem(HttpStatusCode.BadRequest, "invalid-request");
        await (await advocate.Post("/api/survivors/sv-1002/statutory-bases", new { reportDate = Today(), caseNumber = "x" }))
            .Problem(HttpStatusCode.BadRequest, "invalid-request");
        await (await advocate.PostRaw("/api/survivors/sv-1002/statutory-bases", "{\"involvedAgencies\": [{\"agencyId\": \"metro-police\", \"role\": \"astrologer\"}]}"))
            .Problem(HttpStatusCode.BadRequest, "malformed-request");
    }

    [Fact]
    public async Task ChildProtectionWorker_OfAnAgencyNamedInTheReport_Files_ButSeesNothingElse()
    {
        var worker = await api.Parties.As(await api.Parties.CreateUserAsync("advocate", agencyId: "dcf-region-4"));

        var filed = await (await worker.Post("/api/survivors/sv-1002/statutory-bases", Report(Today(), ["dcf-region-4", "metro-police"])))
            .Json(HttpStatusCode.Created);
        filed.GetProperty("reporterAgencyId").GetString().ShouldBe("dcf-region-4");
        filed.GetProperty("open").GetBoolean().ShouldBeTrue();

        // Naming only other agencies does not let the worker file; an unknown survivor looks the same.
        var notNamed = await (await worker.Post("/api/survivors/sv-1002/statutory-bases", Report(Today(), ["metro-police"])))
            .Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var unknown = await (await worker.Post("/api/survivors/sv-unknown-0000/statutory-bases", Report(Today(), ["dcf-region-4"])))
            .Problem(HttpStatusCode.NotFound, "survivor-not-found");
        Http.WithoutTrace(notNamed).ShouldBe(Http.WithoutTrace(unknown));

        // Filing opens no other door: the survivor's record and consents stay hidden from the worker.
        await (await worker.GetAsync("/api/survivors/sv-1002")).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        await (await worker.GetAsync("/api/survivors/sv-1002/consents")).Problem(HttpStatusCode.NotFound, "survivor-not-found");

        // The answer tells the outside reporter nothing about the survivor: no decision-maker, no deny-list flags.
        filed.GetProperty("decisionMaker").ValueKind.ShouldBe(JsonValueKind.Null);
        filed.GetProperty("involvedAgencies").EnumerateArray().ShouldAllBe(a => !a.GetProperty("overriddenByDenyList").GetBoolean());

        // An agency that does not work with the survivor (sv-1001 is an adult the agency has nothing on) learns nothing,
        // whatever it sends: not whether the survivor exists, not their age.
        var adult = await (await worker.Post("/api/survivors/sv-1001/statutory-bases", Report(Today(), ["dcf-region-4"])))
            .Problem(HttpStatusCode.NotFound, "survivor-not-found");
        Http.WithoutTrace(adult).ShouldBe(Http.WithoutTrace(unknown));
    }

    [Fact]
    public async Task Stranger_NamingItself_LearnsNothing_WhateverItSends()
    {
        // Police staff with no tie to the minor sv-1002: naming itself in the report once opened the validation, age and
        // deny-list checks to it (404 vs 400 told existence, 422 not-a-minor bisected the date of birth).
        var stranger = await api.Parties.As(await api.Parties.CreateUserAsync("advocate", agencyId: "lighthouse-counseling"));
        var missing = Http.WithoutTrace(await (await stranger.Post("/api/survivors/sv-missing-9999/statutory-bases", Report(Today(), ["lighthouse-counseling"])))
            .Problem(HttpStatusCode.NotFound, "survivor-not-found"));
        foreach (var body in new object[]
        {
            Report(Today(), ["lighthouse-counseling"]),
            Report(Today(400), ["lighthouse-counseling"]),
            Report(Today(-5), ["lighthouse-counseling"]),
            Report(Today(), ["lighthouse-counseling", "nowhere"]),
            new { involvedAgencies = new[] { new { agencyId = "lighthouse-counseling", role = "therapist" } } },
        })
        {
            foreach (var survivor in new[] { "sv-1002", "sv-1001" })
            {
                var answer = await (await stranger.Post($"/api/survivors/{survivor}/statutory-bases", body)).Problem(HttpStatusCode.NotFound, "survivor-not-found");
                Http.WithoutTrace(answer).ShouldBe(missing);
            }
        }
    }

    [Fact]
    public async Task ReportDate_InTheFuture_OrOlderThanTheWindow_IsRefused()
    {
        var advocate = await api.Parties.Advocate();
        foreach (var date in new[] { Today(-1), Today(31), Today(4000) })
        {
            var problem = await (await advocate.Post("/api/survivors/sv-1002/statutory-bases", Report(date))).Problem(HttpStatusCode.BadRequest, "invalid-request");
            JsonDocument.Parse(problem).RootElement.GetProperty("errors").TryGetProperty("reportDate", out _).ShouldBeTrue();
        }

        // An adult cannot be backdated into a 51A: the oldest allowed date is 30 days ago.
        await (await advocate.Post("/api/survivors/sv-1001/statutory-bases", Report(Today(30)))).Problem(HttpStatusCode.UnprocessableEntity, "not-a-minor");
        await (await advocate.Post("/api/survivors/sv-1002/statutory-bases", Report(Today(30)))).Json(HttpStatusCode.Created);
    }

    [Fact]
    public async Task OtherAgencies_Survivors_AndCompliance_CannotFileOrClose()
    {
        var advocate = await api.Parties.Advocate();
        var filed = await (await advocate.Post("/api/survivors/sv-1002/statutory-bases", Report(Today()))).Json(HttpStatusCode.Created);
        var url = $"/api/survivors/sv-1002/statutory-bases/{filed.GetProperty("id").GetString()}";

        // An agency neither enrolling the survivor nor named in the report.
        var other = await api.Parties.As(await api.Parties.CreateUserAsync("advocate", agencyId: "bridge-legal"));
        await (await other.Post("/api/survivors/sv-1002/statutory-bases", Report(Today()))).Problem(HttpStatusCode.NotFound, "survivor-not-found");
        var foreign = await (await other.GetAsync(url)).Problem(HttpStatusCode.NotFound, "statutory-basis-not-found");
        var missing = await (await advocate.GetAsync($"/api/survivors/sv-1002/statutory-bases/{Guid.NewGuid()}")).Problem(HttpStatusCode.NotFound, "statutory-basis-not-found");
        Http.WithoutTrace(foreign).ShouldBe(Http.WithoutTrace(missing));
        await (await other.Post(url + "/close", new { })).Problem(HttpStatusCode.NotFound, "statutory-basis-not-found");

        var compliance = await api.Parties.Compliance();
        (await compliance.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await compliance.Post(url + "/close", new { })).Problem(HttpStatusCode.Forbidden, "read-only");

        var survivor = await api.Parties.Survivor();
        await (await survivor.Post("/api/survivors/sv-1001/statutory-bases", Report(Today()))).Problem(HttpStatusCode.Forbidden, "forbidden");
    }
}
