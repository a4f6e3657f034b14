using System.Net;
using System.Text.Json;
using Consent.Api.Tests;
using Microsoft.Data.Sqlite;

namespace Consent.Security.Tests;

/// <summary>
/// The leaks and weaknesses the review found on the API, each seen from the attacker's side: what a stranger agency,
/// an agency admin, a deactivated agency or someone with the database file could do before the fixes.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class FindingsTests(SecuritySuite suite)
{
    private static string Day(int daysAgo) => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-daysAgo).ToString("yyyy-MM-dd");

    private static object Report(string date, params string[] agencies) => new
    {
        reporterRole = "mandated-reporter",
        reportDate = date,
        caseNumber = "51A-2026-0099",
        involvedAgencies = agencies.Select(a => new { agencyId = a, role = "therapist" }).ToArray(),
    };

    /// <summary>Finding 1: naming itself in a 51A let any agency learn existence and bisect a date of birth.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(400)]
    [InlineData(4000)]
    [InlineData(-3)]
    [InlineData(5000)]
    public async Task Filing51A_AsAStranger_AnswersEverySurvivorAsAMissingOne(int daysAgo)
    {
        var stranger = await suite.Parties.As(suite.LegalAdvocate);
        var body = Report(Day(daysAgo), "bridge-legal");

        var missing = await (await stranger.Post($"/api/survivors/{SecuritySuite.MissingSurvivor}/statutory-bases", body)).ProblemBody(HttpStatusCode.NotFound);
        var hidden = await (await stranger.Post($"/api/survivors/{suite.HiddenSurvivor}/statutory-bases", body)).ProblemBody(HttpStatusCode.NotFound);

        hidden.ShouldBe(missing);
        hidden.ShouldNotMention(suite.HiddenSurvivor, suite.HiddenDateOfBirth);
    }

    /// <summary>Finding 2: an agency admin retyped its own agency (law enforcement as medical) and changed what the policy allowed.</summary>
    [Fact]
    public async Task AgencyAdmin_CannotRetypeOrReactivateItsAgency_AndAPlatformAdminsChangeIsRecorded()
    {
        var admin = await suite.Parties.As(suite.HavenAdmin);
        var before = await (await admin.GetAsync($"/api/agencies/{SecuritySuite.HavenAgency}")).Json();

        var refused = await admin.Put($"/api/agencies/{SecuritySuite.HavenAgency}", new { name = "Haven (security suite)", type = "medical" });

        (await refused.ProblemBody(HttpStatusCode.Forbidden)).ShouldContain("platform-admin-only");
        var after = await (await admin.GetAsync($"/api/agencies/{SecuritySuite.HavenAgency}")).Json();
        after.GetProperty("type").GetString().ShouldBe(before.GetProperty("type").GetString());
        var changes = await (await (await suite.Parties.Compliance()).GetAsync(SecurityNames.AgencyChanges(SecuritySuite.HavenAgency))).Json();
        changes.EnumerateArray().ShouldNotContain(c => c.GetProperty("newValue").GetString() == "medical");
    }

    /// <summary>Finding 4: a deactivated agency kept reading, writing, asking for consent and breaking the glass.</summary>
    [Fact]
    public async Task DeactivatedAgency_IsRefusedEverything_On_Api_And_Fhir()
    {
        var system = await suite.Parties.AgencySystem(SecuritySuite.DeactivatedAgency, "system/*.cruds");
        (await system.GetAsync("/api/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var platform = await suite.Parties.PlatformAdmin();
        var entry = await (await platform.GetAsync($"/api/agencies/{SecuritySuite.DeactivatedAgency}")).Json();
        (await platform.Put($"/api/agencies/{SecuritySuite.DeactivatedAgency}",
            new { name = entry.GetProperty("name").GetString(), type = entry.GetProperty("type").GetString(), active = false })).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await (await system.GetAsync("/api/me")).ProblemBody(HttpStatusCode.Forbidden)).ShouldContain("agency-inactive");
        (await (await system.Post("/api/break-glass", new { survivorId = SecuritySuite.DemoSurvivor, reason = "Unconscious in the emergency department" }))
            .ProblemBody(HttpStatusCode.Forbidden)).ShouldContain("agency-inactive");
        (await (await system.Post("/api/consent-requests", new { survivorId = SecuritySuite.DemoSurvivor, categories = new[] { "health" }, purposes = new[] { "treatment" } }))
            .ProblemBody(HttpStatusCode.Forbidden)).ShouldContain("agency-inactive");
        using var write = new HttpRequestMessage(HttpMethod.Post, "/fhir/Patient")
        {
            Content = new StringContent("""{"resourceType":"Patient"}""", System.Text.Encoding.UTF8, "application/fhir+json"),
        };
        var written = await system.SendAsync(write);
        written.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        JsonDocument.Parse(await written.Content.ReadAsStringAsync()).RootElement.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
    }

    /// <summary>Finding 13: a grant could start in the past, making earlier disclosures look consented to.</summary>
    [Fact]
    public async Task BackdatedGrant_IsRefused_AndNothingIsStored()
    {
        var survivor = await suite.Parties.Survivor();
        var url = $"/api/survivors/{SecuritySuite.DemoSurvivor}/consents";
        var count = (await (await survivor.GetAsync(url)).Json()).GetArrayLength();

        var refused = await survivor.Post(url, new
        {
            recipientAgencyId = "bridge-legal", sourceAgencyIds = new[] { "harbor-house" }, categories = new[] { "contact" }, purposes = new[] { "legal-advocacy" },
            start = DateTimeOffset.UtcNow.AddDays(-60), end = DateTimeOffset.UtcNow.AddDays(30),
            consentTextId = "general-sharing", consentTextVersion = "3", language = "en",
        });

        (await refused.ProblemBody(HttpStatusCode.UnprocessableEntity)).ShouldContain("start-in-the-past");
        (await (await survivor.GetAsync(url)).Json()).GetArrayLength().ShouldBe(count);
    }

    /// <summary>Finding 12: REPLACE INTO rewrote a log entry behind the delete triggers.</summary>
    [Theory]
    [InlineData("REPLACE INTO {0} SELECT * FROM {0} WHERE Sequence = (SELECT min(Sequence) FROM {0})")]
    [InlineData("INSERT OR REPLACE INTO {0} SELECT * FROM {0} WHERE Sequence = (SELECT min(Sequence) FROM {0})")]
    [InlineData("UPDATE {0} SET Decision = Decision")]
    [InlineData("DELETE FROM {0}")]
    public async Task DisclosureLog_CannotBeRewritten_FromTheDatabaseFile(string statement)
    {
        // A read across agencies, so that the log has an entry.
        var clinic = await suite.Parties.AgencySystem("northside-clinic");
        using (var read = new HttpRequestMessage(HttpMethod.Get, "/fhir/Observation/" + Guid.NewGuid().ToString("n")))
        {
            read.Headers.Add("X-Purpose-Of-Use", "TREAT");
            (await clinic.SendAsync(read)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        var file = Path.Combine(suite.Api.DataDirectory, SecurityNames.DatabaseFile);
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, statement, SecurityNames.DisclosureTable);

        var refused = await Should.ThrowAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
        refused.Message.ShouldNotBeNullOrEmpty();
    }
}
