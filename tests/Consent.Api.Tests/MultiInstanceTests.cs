using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Consent.Api.DisclosureLog;
using Consent.Api.Storage;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Tests;

/// <summary>
/// Two Identity and two Consent API instances as separate processes on PostgreSQL (a database for Identity, one for the
/// API), behind nothing but this test, which spreads the load over them: the clinic reads a record through both API
/// instances with tokens from both Identity instances while the survivor grants and revokes through both in turn, and
/// one API instance is killed (SIGKILL) in the middle. Afterwards, from the database: every read that was
/// answered has its log entry (a permit for data, a deny for a 404), the log has no sequence gap, the chain verifies,
/// and no read sent after a revocation was answered was answered with data, whichever instance took either.
/// </summary>
public sealed class MultiInstanceTests : IAsyncLifetime
{
    private const string Survivor = DemoScenario.Survivor;
    private const string Clinic = DemoScenario.Clinic;

    private readonly PlatformProcesses platform = new(Repository.Root(), Repository.BuildConfiguration(),
        Directory.CreateTempSubdirectory("consent-multi-").FullName);
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private PostgresServer server = null!;
    private string database = "";
    private string identityDatabase = "";

    public async Task InitializeAsync()
    {
        server = await PostgresServer.Shared;
        database = await server.CreateDatabaseAsync();
        identityDatabase = await server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        platform.Dispose();
        http.Dispose();
        await server.DropDatabaseAsync(database);
        await server.DropDatabaseAsync(identityDatabase);
        Directory.Delete(platform.DataDirectory, recursive: true);
    }

    [Fact]
    public async Task TwoInstancesOfEach_OneApiKilledUnderLoad_EveryAnsweredReadIsLogged_NoGap_ChainVerifies_NoDataAfterARevocation()
    {
        var (identities, a, b) = await StartAsync();
        var scenario = new DemoScenario(identities[0].Url, a.Url, platform.DataDirectory);
        var (_, observation) = await scenario.SeedAsync();
        // Tokens from each Identity instance: the clinic's system and the survivor signed in at one and at the other.
        var tokens = identities.Select(i => new DemoScenario(i.Url, a.Url, platform.DataDirectory)).ToList();
        string[] clinics = [await tokens[0].AgencyTokenAsync(Clinic, "system/*.rs"), await tokens[1].AgencyTokenAsync(Clinic, "system/*.rs")];
        string[] survivors = [await tokens[0].SurvivorTokenAsync(), await tokens[1].SurvivorTokenAsync()];
        var survivor = survivors[0];
        foreach (var grant in await ActiveGrantsAsync(a, survivor))
        {
            // The demo's grants to the clinic and the scenario's: from here on, only the test's own grants let it read.
            await RevokeAsync(a, survivor, grant);
        }


        var reads = new ConcurrentBag<Read>();
        var revocations = new ConcurrentBag<(long Acknowledged, long NextGrantSent)>();
        var killed = 0;
        var stop = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(12);
        AppProcess Alive(int turn) => Volatile.Read(ref killed) == 1 || turn % 2 == 0 ? a : b;

        var readers = Enumerable.Range(0, 6).Select(reader => Task.Run(async () =>
        {
            for (var turn = reader; stop.Elapsed < duration; turn++)
            {
                var instance = Alive(turn);
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.Url, $"fhir/Observation/{observation}"));
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clinics[reader % 2]);
                    request.Headers.Add("X-Purpose-Of-Use", DemoScenario.Purpose);
                    using var response = await http.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    reads.Add(new Read(instance == a ? "a" : "b", reader % 2, sent, Stopwatch.GetTimestamp(), response.StatusCode,
                        response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.Single() : "", body.Contains("blood pressure", StringComparison.Ordinal)));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Unanswered (the killed instance): nothing was acknowledged, nothing is owed.
                }
            }
        })).ToList();

        // The survivor's side: a grant through one instance, its revocation through the other, in turn. The kill happens
        // here, between two of these calls, so that whether a grant exists is never in doubt; reads are in flight on both.
        var killedAt = 0L;
        var toggler = Task.Run(async () =>
        {
            var revoked = Stopwatch.GetTimestamp();
            for (var turn = 0; stop.Elapsed < duration; turn++)
            {
                var grantSent = Stopwatch.GetTimestamp();
                revocations.Add((revoked, grantSent));
                var grant = await GrantAsync(Alive(turn), survivors[turn % 2]);
                await Task.Delay(250);
                await RevokeAsync(Alive(turn + 1), survivors[(turn + 1) % 2], grant);
                revoked = Stopwatch.GetTimestamp();
                // Once b has answered a read with data (on a busy machine that can take longer than the first 5 s).
                if (killedAt == 0 && stop.Elapsed > TimeSpan.FromSeconds(5) && reads.Any(r => r.Instance == "b" && r.Data))
                {
                    b.Kill();
                    Volatile.Write(ref killed, 1);
                    killedAt = Stopwatch.GetTimestamp();
                }

                await Task.Delay(250);
            }

            revocations.Add((revoked, long.MaxValue));
        });
        await Task.WhenAll([.. readers, toggler]);
        killedAt.ShouldBeGreaterThan(0L);

        var answered = reads.ToList();
        answered.Count(r => r.Instance == "b" && r.Data).ShouldBeGreaterThan(0, "instance b answered no read with data before it was killed");
        answered.Count(r => r.Instance == "a" && r.Data && r.Sent > killedAt).ShouldBeGreaterThan(0, "instance a answered no read with data after b was killed");
        answered.Count(r => r.Status == HttpStatusCode.NotFound).ShouldBeGreaterThan(0, "no read fell between a revocation and the next grant");
        answered.Where(r => r.Data).Select(r => r.Identity).Distinct().Count().ShouldBe(2, "tokens from both Identity instances read data");

        var entries = await LogAsync();
        entries.Select(e => e.Sequence).ShouldBe(Enumerable.Range(1, entries.Count).Select(i => (long)i), "the log has a gap");
        DisclosureChain.FirstBreak(entries).ShouldBeNull();

        // The tree and signed heads too, as an auditor's verifier reads them: whatever instance led when each was made.
        var verified = Consent.Log.Verification.LogVerifier.VerifyPostgres(database);
        verified.Holds.ShouldBeTrue(verified.FirstFailure?.ToString());
        verified.TreeSize.ShouldBeGreaterThan(0L, "no instance integrated the tree");

        var byRequest = entries.Where(e => e.RecipientAgencyId == Clinic).GroupBy(e => e.RequestId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var read in answered)
        {
            byRequest.TryGetValue(read.RequestId, out var logged).ShouldBeTrue($"read {read.RequestId} on {read.Instance} was answered {(int)read.Status} without a log entry");
            logged!.ShouldHaveSingleItem().Decision.ShouldBe(read.Status == HttpStatusCode.OK ? DisclosureDecision.Permit : DisclosureDecision.Deny);
            read.Status.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.NotFound);
            read.Data.ShouldBe(read.Status == HttpStatusCode.OK);
        }

        foreach (var (revoked, nextGrant) in revocations)
        {
            answered.Where(r => r.Sent > revoked && r.Answered < nextGrant && r.Data)
                .ShouldBeEmpty("a read sent after a revocation was answered, and answered before the next grant was asked for, returned data");
        }
    }

    /// <summary>A read that was answered: by which API instance, with a token from which Identity instance, when, and how.</summary>
    private sealed record Read(string Instance, int Identity, long Sent, long Answered, HttpStatusCode Status, string RequestId, bool Data);

    /// <summary>
    /// Two Identity instances on their database, then two API instances on theirs, one after the other (the first of
    /// each makes the schema and the demo data; the second finds them).
    /// </summary>
    private async Task<(IReadOnlyList<AppProcess> Identities, AppProcess A, AppProcess B)> StartAsync()
    {
        var identity = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "Postgres",
            ["ConnectionStrings__Identity"] = identityDatabase,
            ["KeyRing__KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
        await platform.StartIdentityAsync(identity);
        await platform.StartIdentityAsync(identity);
        var api = new Dictionary<string, string>
        {
            ["RateLimits__ClientPerMinute"] = "1000000",
            ["RateLimits__UserPerMinute"] = "1000000",
            ["Storage__Provider"] = "Postgres",
            ["ConnectionStrings__Consent"] = database,
            ["DisclosureTree__SigningKeyPem"] = PostgresApi.SigningKeyPem,
        };
        return (platform.Identities, await platform.StartApiAsync(api), await platform.StartApiAsync(api));
    }

    private async Task<string> GrantAsync(AppProcess instance, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(instance.Url, $"api/survivors/{Survivor}/consents"))
        {
            Content = JsonContent.Create(new
            {
                recipientAgencyId = Clinic,
                sourceAgencyIds = new[] { DemoScenario.Shelter },
                categories = new[] { "health" },
                purposes = new[] { "treatment" },
                consentTextId = "general-sharing",
                consentTextVersion = "3",
                language = "en",
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private async Task RevokeAsync(AppProcess instance, string token, string grant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(instance.Url, $"api/survivors/{Survivor}/consents/{grant}/revoke"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<List<string>> ActiveGrantsAsync(AppProcess instance, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(instance.Url, $"api/survivors/{Survivor}/consents"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var list = JsonDocument.Parse(body).RootElement;
        var items = list.ValueKind == JsonValueKind.Array ? list : list.GetProperty("items");
        return [.. items.EnumerateArray().Where(g => g.GetProperty("recipientAgencyId").GetString() == Clinic && g.GetProperty("status").GetString() == "active")
            .Select(g => g.GetProperty("id").GetString()!)];
    }

    private async Task<List<DisclosureEntry>> LogAsync()
    {
        await using var db = new PostgresConsentDb(new DbContextOptionsBuilder<PostgresConsentDb>().UseNpgsql(database).Options);
        return await db.Disclosures.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
    }
}
