using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Consent.Api.Tests;

/// <summary>The API with request logging at Information, so that every request's log line reaches the JSON log file.</summary>
public sealed class InformationLogApi : IAsyncLifetime
{
    public ApiHost Api { get; } = ApiHost.With(new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Information" });

    /// <summary>The request log lines of the JSON log file, once one matching <paramref name="until"/> is there.</summary>
    public async Task<List<JsonElement>> RequestLinesAsync(Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var lines = new List<JsonElement>();
            foreach (var line in AllText().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var entry = JsonDocument.Parse(line).RootElement.Clone();
                if (entry.TryGetProperty("RequestPathTemplate", out _))
                {
                    lines.Add(entry);
                }
            }

            if (lines.Any(until) || DateTime.UtcNow > deadline)
            {
                return lines;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>All of the JSON log file's text.</summary>
    public string AllText() => string.Concat(Directory.GetFiles(Path.Combine(Api.DataDirectory, "logs"), "consent-api-*.json").Select(file =>
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>What every answer of the API carries or leaves out, and what its request log says about it.</summary>
public sealed class ResponseHygieneTests(InformationLogApi host) : IClassFixture<InformationLogApi>
{
    private const string Survivor = "sv-1001";

    [Fact]
    public async Task RequestLog_NamesTheRouteTemplate_NotTheSurvivorOrRecordIds()
    {
        var survivor = await host.Api.Parties.Survivor();
        (await survivor.GetAsync($"/api/survivors/{Survivor}/consents")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var clinic = await host.Api.Parties.AgencySystem("northside-clinic");
        var record = "obs-" + Guid.NewGuid().ToString("n");
        (await clinic.ReadAsync($"/fhir/Observation/{record}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var lines = await host.RequestLinesAsync(l => l.GetProperty("RequestPathTemplate").GetString() == "/fhir/{type}/{id}");

        lines.ShouldContain(l => l.GetProperty("RequestPathTemplate").GetString() == "/api/survivors/{survivorId}/consents/"
                                 && l.GetProperty("StatusCode").GetInt32() == 200);
        lines.ShouldContain(l => l.GetProperty("RequestPathTemplate").GetString() == "/fhir/{type}/{id}"
                                 && l.GetProperty("StatusCode").GetInt32() == 404);
        foreach (var line in lines)
        {
            line.TryGetProperty("RequestPath", out _).ShouldBeFalse(line.GetRawText());
            line.GetRawText().ShouldNotContain(Survivor);
            line.GetRawText().ShouldNotContain(record);
        }
    }

    [Fact]
    public async Task UnmatchedPath_IsLoggedWithoutItsPath()
    {
        var probe = "sv-" + Guid.NewGuid().ToString("n");
        // The fallback policy asks for a token before anything else answers.
        (await host.Api.Parties.Anonymous().GetAsync($"/no-such-route/{probe}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var lines = await host.RequestLinesAsync(l => l.GetProperty("StatusCode").GetInt32() == 401
                                                      && l.GetProperty("RequestPathTemplate").GetString() == "(no endpoint)");

        lines.ShouldContain(l => l.GetProperty("RequestPathTemplate").GetString() == "(no endpoint)");
        host.AllText().ShouldNotContain(probe);
    }

    [Fact]
    public async Task MalformedJson_Is400Problem_LoggedAs400_WithoutAStackTrace()
    {
        var survivor = await host.Api.Parties.Survivor();

        var response = await survivor.PostRaw($"/api/survivors/{Survivor}/consents", """{"recipientAgencyId": "northside-clinic", """);

        var body = await response.Problem(HttpStatusCode.BadRequest, "malformed-request");
        body.ShouldNotContain("northside-clinic");
        var lines = await host.RequestLinesAsync(l => l.GetProperty("RequestMethod").GetString() == "POST");
        lines.ShouldContain(l => l.GetProperty("RequestMethod").GetString() == "POST", host.AllText());
        var line = lines.Single(l => l.GetProperty("RequestMethod").GetString() == "POST");
        line.GetProperty("StatusCode").GetInt32().ShouldBe(400);
        line.TryGetProperty("@x", out _).ShouldBeFalse(line.GetRawText());
        line.TryGetProperty("@l", out var level).ShouldBe(false, level.ToString());
        var all = host.AllText();
        all.ShouldNotContain("BadHttpRequestException");
        all.ShouldNotContain("   at ");
        all.ShouldNotContain("responded 500");
    }

    [Theory]
    [InlineData("/api/me", HttpStatusCode.OK, "application/json")]
    [InlineData("/api/survivors/sv-1001/consents", HttpStatusCode.OK, "application/json")]
    [InlineData("/fhir/Observation/obs-unknown", HttpStatusCode.NotFound, "application/fhir+json")]
    public async Task DataResponses_AreNoStore(string url, HttpStatusCode status, string mediaType)
    {
        var client = url.StartsWith("/fhir", StringComparison.Ordinal)
            ? await host.Api.Parties.AgencySystem("northside-clinic")
            : await host.Api.Parties.Survivor();

        var response = url.StartsWith("/fhir", StringComparison.Ordinal) ? await client.ReadAsync(url) : await client.GetAsync(url);

        response.StatusCode.ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        response.Headers.Pragma.ToString().ShouldBe("no-cache");
        response.Headers.Server.ShouldBeEmpty();
    }

    [Fact]
    public async Task Refusals_AreNoStore_Too()
    {
        var response = await host.Api.Parties.Anonymous().GetAsync($"/api/survivors/{Survivor}/consents");

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        response.Headers.Pragma.ToString().ShouldBe("no-cache");
    }

    [Fact]
    public void Kestrel_SendsNoServerBanner()
    {
        // The test server is not Kestrel, so the header cannot be seen here: the option Kestrel reads is checked instead.
        host.Api.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader.ShouldBeFalse();
    }
}
