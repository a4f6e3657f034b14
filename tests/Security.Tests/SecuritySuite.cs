using System.Net;
using System.Text.Json;
using Consent.Api.Tests;

namespace Consent.Security.Tests;

/// <summary>
/// The API and the identity provider, started once for the whole suite, with the parties the cases need:
/// an agency with no relationship to anyone else (<see cref="HavenAgency"/>) and a minor enrolled only there.
/// </summary>
public sealed class SecuritySuite : IAsyncLifetime
{
    /// <summary>An agency only this suite knows: its survivors are strangers to every demo agency.</summary>
    public const string HavenAgency = "sec-haven";

    /// <summary>Deactivated by one case (finding 4); no other case uses it.</summary>
    public const string DeactivatedAgency = "lighthouse-counseling";

    /// <summary>A survivor id nobody has.</summary>
    public const string MissingSurvivor = "sv-missing-0000";

    public const string DemoSurvivor = "sv-1001";

    public const string DemoMinor = "sv-1002";

    /// <summary>How long the API may keep honouring a token the provider has revoked (its introspection cache).</summary>
    public static readonly TimeSpan RevocationWindow = TimeSpan.FromSeconds(1);

    public ApiHost Api { get; } = ApiHost.With(new Dictionary<string, string?>
    {
        ["Auth:RevocationCacheSeconds"] = RevocationWindow.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public Parties Parties => Api.Parties;

    /// <summary>A minor enrolled by the haven advocate: another survivor for everyone outside the haven.</summary>
    public string HiddenSurvivor { get; private set; } = "";

    /// <summary>Its date of birth, which must never appear in an answer to someone who may not see it.</summary>
    public string HiddenDateOfBirth { get; } = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-13).AddDays(-41).ToString("yyyy-MM-dd");

    public string HavenAdvocate { get; private set; } = "";

    public string HavenAdmin { get; private set; } = "";

    /// <summary>An advocate at bridge-legal, a demo agency with no part in the haven's cases.</summary>
    public string LegalAdvocate { get; private set; } = "";

    /// <summary>A break-glass record of harbor-house's, for reads by other agencies.</summary>
    public string ShelterBreakGlass { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var platform = await Parties.PlatformAdmin();
        var created = await platform.Post("/api/agencies", new { id = HavenAgency, name = "Haven (security suite)", type = "shelter", languages = new[] { "en" } });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        HavenAdvocate = await Parties.CreateUserAsync("advocate", agencyId: HavenAgency);
        HavenAdmin = await Parties.CreateUserAsync("agency-admin", agencyId: HavenAgency);
        LegalAdvocate = await Parties.CreateUserAsync("advocate", agencyId: "bridge-legal");

        var haven = await Parties.As(HavenAdvocate);
        HiddenSurvivor = (await (await haven.Post("/api/survivors", new { dateOfBirth = HiddenDateOfBirth })).Json(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;

        var shelter = await Parties.Advocate();
        ShelterBreakGlass = (await (await shelter.Post("/api/break-glass", new { survivorId = DemoSurvivor, reason = "Survivor missing, safety check needed" }))
            .Json(HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();

    /// <summary>An API client for a role of the matrix.</summary>
    public async Task<HttpClient> As(Role role) => role switch
    {
        Role.Survivor => await Parties.Survivor(),
        Role.Advocate => await Parties.Advocate(),
        Role.Compliance => await Parties.Compliance(),
        Role.AgencyAdmin => await Parties.ShelterAdmin(),
        Role.PlatformAdmin => await Parties.PlatformAdmin(),
        Role.AgencySystem => await Parties.AgencySystem("harbor-house", "system/*.cruds"),
        Role.NoToken => Parties.Anonymous(),
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };
}

/// <summary>The callers of the matrix. Staff and systems belong to harbor-house, the demo survivor's agency.</summary>
public enum Role
{
    Survivor,
    Advocate,
    Compliance,
    AgencyAdmin,
    PlatformAdmin,
    AgencySystem,
    NoToken,
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecuritySuite>
{
    public const string Name = "Security";
}

/// <summary>Checks every answer of the suite shares: shapes, and no survivor data where none belongs.</summary>
public static class Answers
{
    public const string Problems = Http.Problems;

    /// <summary>A ProblemDetails with a catalogued type; the body returned without its trace id.</summary>
    public static async Task<string> ProblemBody(this HttpResponseMessage response, params HttpStatusCode[] statuses)
    {
        var text = await response.Content.ReadAsStringAsync();
        statuses.ShouldContain(response.StatusCode, $"{(int)response.StatusCode}: {text}");
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", text);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("type").GetString()!.ShouldStartWith(Problems);
        text.ShouldNotContain("   at ");
        text.ShouldNotContain("Exception");
        return Http.WithoutTrace(text);
    }

    /// <summary>An OAuth error answer: <c>{"error": ...}</c>, never a stack trace.</summary>
    public static async Task<string> OAuthError(this HttpResponseMessage response, params HttpStatusCode[] statuses)
    {
        var text = await response.Content.ReadAsStringAsync();
        statuses.ShouldContain(response.StatusCode, $"{(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
        text.ShouldNotContain("   at ");
        text.ShouldNotContain("Exception");
        return body.GetProperty("error").GetString()!;
    }

    public static void ShouldNotMention(this string body, params string[] secrets)
    {
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            body.ShouldNotContain(secret, Case.Insensitive);
        }
    }
}
