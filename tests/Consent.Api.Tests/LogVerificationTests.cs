using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Consent.Api.LogVerification;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>
/// <c>POST /api/log/verify</c> on the real API with real tokens and a real SQLite file: a clean log holds; an entry changed
/// in the file behind the API's back is reported at its sequence; who may ask; bodies; one check at a time; the dashboard.
/// </summary>
public sealed class LogVerificationTests(ApiHost api) : IClassFixture<ApiHost>
{
    private const string Verify = "/api/log/verify";

    [Fact]
    public async Task CleanLog_Holds_ThenAnEntryChangedInTheFile_IsAHashMismatchAtIt_AndTheDashboardShowsEachOutcome()
    {
        var size = await RealDisclosures.MakeAsync(api, 16);
        var head = await RealDisclosures.SignHeadAsync(api);
        var compliance = await api.Parties.Compliance();

        var clean = await compliance.PostAsync(Verify, null);
        var text = await clean.Content.ReadAsStringAsync();
        var report = await clean.Json();
        report.GetProperty("holds").GetBoolean().ShouldBeTrue(text);
        report.GetProperty("entriesChecked").GetInt64().ShouldBeGreaterThanOrEqualTo(size);
        report.GetProperty("logSize").GetInt64().ShouldBeGreaterThanOrEqualTo(size);
        report.GetProperty("treeSize").GetInt64().ShouldBeGreaterThanOrEqualTo(head.GetProperty("treeSize").GetInt64());
        report.GetProperty("headsChecked").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        report.GetProperty("postedHeadsChecked").GetInt32().ShouldBe(0);
        report.GetProperty("trustedKeys").GetString().ShouldBe("stored");
        report.GetProperty("failureCount").GetInt64().ShouldBe(0);
        report.GetProperty("failures").GetArrayLength().ShouldBe(0);
        report.GetProperty("elapsedMs").GetInt64().ShouldBeGreaterThanOrEqualTo(0);
        NothingLeaked(text);

        var dashboard = await (await compliance.GetAsync("/api/compliance/dashboard")).Json();
        var last = dashboard.GetProperty("lastLogVerification");
        last.GetProperty("holds").GetBoolean().ShouldBeTrue();
        last.GetProperty("firstFailureKind").ValueKind.ShouldBe(JsonValueKind.Null);
        last.GetProperty("logSize").GetInt64().ShouldBe(report.GetProperty("logSize").GetInt64());

        // A saved head posted with the request is checked too; one whose root was changed is not the log's.
        var posted = await (await compliance.PostAsync(Verify, Heads(head))).Json();
        posted.GetProperty("holds").GetBoolean().ShouldBeTrue();
        posted.GetProperty("postedHeadsChecked").GetInt32().ShouldBe(1);
        var altered = JsonSerializer.Deserialize<Dictionary<string, object>>(head.GetRawText())!;
        altered["rootHash"] = new string('0', 64);
        var forged = await (await compliance.PostAsync(Verify, JsonContent.Create(new[] { altered }))).Json();
        forged.GetProperty("holds").GetBoolean().ShouldBeFalse();
        var headFailure = forged.GetProperty("failures")[0];
        headFailure.GetProperty("kind").GetString().ShouldBe("tree-head-root");
        headFailure.GetProperty("postedHead").GetInt32().ShouldBe(1);
        headFailure.GetProperty("sequence").ValueKind.ShouldBe(JsonValueKind.Null);

        // Behind the API's back: the triggers dropped and one entry's purpose changed in the file.
        var changed = size - 5;
        using (var tamperer = new Tamperer(Path.Combine(api.DataDirectory, "consent.db")))
        {
            tamperer.Execute("UPDATE DisclosureLog SET PurposeOfUse = 'HRESCH' WHERE Sequence = $s", ("$s", changed)).ShouldBe(1);
        }

        var tampered = await compliance.PostAsync(Verify, null);
        text = await tampered.Content.ReadAsStringAsync();
        report = await tampered.Json();
        report.GetProperty("holds").GetBoolean().ShouldBeFalse();
        report.GetProperty("failureCount").GetInt64().ShouldBeGreaterThanOrEqualTo(1);
        report.GetProperty("failures").GetArrayLength().ShouldBeInRange(1, OnlineLogVerifier.FailuresReported);
        var first = report.GetProperty("failures")[0];
        first.GetProperty("kind").GetString().ShouldBe("hash-mismatch");
        first.GetProperty("sequence").GetInt64().ShouldBe(changed);
        first.GetProperty("expected").GetString()!.ShouldMatch("^[0-9a-f]{64}$");
        first.GetProperty("found").GetString()!.ShouldMatch("^[0-9a-f]{64}$");
        first.GetProperty("expected").GetString().ShouldNotBe(first.GetProperty("found").GetString());
        NothingLeaked(text);
        text.ShouldNotContain("HRESCH");

        last = (await (await compliance.GetAsync("/api/compliance/dashboard")).Json()).GetProperty("lastLogVerification");
        last.GetProperty("holds").GetBoolean().ShouldBeFalse();
        last.GetProperty("firstFailureKind").GetString().ShouldBe("hash-mismatch");
        last.GetProperty("firstFailureSequence").GetInt64().ShouldBe(changed);
    }

    [Fact]
    public async Task OnlyComplianceOfficers_MayVerify()
    {
        (await api.Parties.Anonymous().PostAsync(Verify, null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        foreach (var caller in new[]
        {
            await api.Parties.Survivor(), await api.Parties.Advocate(), await api.Parties.ShelterAdmin(),
            await api.Parties.PlatformAdmin(), await api.Parties.AgencySystem("northside-clinic"),
        })
        {
            await (await caller.PostAsync(Verify, null)).Problem(HttpStatusCode.Forbidden, "forbidden");
        }
    }

    [Fact]
    public async Task BadBodies_AreRefused_BeforeAnythingIsRead()
    {
        var compliance = await api.Parties.Compliance();
        var notAList = await (await compliance.PostAsync(Verify, Json("{\"treeSize\": 1}"))).Problem(HttpStatusCode.BadRequest, "invalid-request");
        notAList.ShouldContain("trustedHeads");
        var badHead = await (await compliance.PostAsync(Verify, Json("[{\"treeSize\": 1, \"timestamp\": 2}]"))).Problem(HttpStatusCode.BadRequest, "invalid-request");
        badHead.ShouldContain("trustedHeads[0]");
        await (await compliance.PostAsync(Verify, Json("[{"))).Problem(HttpStatusCode.BadRequest, "malformed-request");
        await (await compliance.PostAsync(Verify, new StringContent("[]", Encoding.UTF8, "text/plain"))).Problem(HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await (await compliance.PostAsync(Verify + "?limit=5", null)).Problem(HttpStatusCode.BadRequest, "invalid-request");

        var many = "[" + string.Join(",", Enumerable.Repeat("{}", OnlineLogVerifier.MaximumPostedHeads + 1)) + "]";
        await (await compliance.PostAsync(Verify, Json(many))).Problem(HttpStatusCode.BadRequest, "invalid-request");
        var huge = "[\"" + new string('a', OnlineLogVerifier.MaximumBodyBytes) + "\"]";
        await (await compliance.PostAsync(Verify, Json(huge))).Problem(HttpStatusCode.RequestEntityTooLarge, "request-too-large");
    }

    [Fact]
    public async Task OneCheckAtATime_ASecondIsToldWhenToComeBack()
    {
        var compliance = await api.Parties.Compliance();
        var verifier = api.Services.GetRequiredService<OnlineLogVerifier>();
        using (verifier.TryBegin().ShouldNotBeNull())
        {
            var busy = await compliance.PostAsync(Verify, null);
            await busy.Problem(HttpStatusCode.TooManyRequests, "log-verification-running");
            busy.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldNotBeNull().TotalSeconds.ShouldBeGreaterThanOrEqualTo(1);
        }

        (await compliance.PostAsync(Verify, null)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static StringContent Heads(params JsonElement[] heads) => Json(JsonSerializer.Serialize(heads));

    private static void NothingLeaked(string report)
    {
        report.ShouldNotContain("sv-");
        report.ShouldNotContain("northside");
        report.ShouldNotContain("metro-police");
        report.ShouldNotContain("Observation");
    }
}
