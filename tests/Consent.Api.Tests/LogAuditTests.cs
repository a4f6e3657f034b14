using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Consent.Cli;
using Consent.Log.TreeHeads;

namespace Consent.Api.Tests;

/// <summary>
/// The real API with a log grown in two steps: a head signed after 10 reads (saved, as an auditor would) and another
/// after 10 more. The key set saved from /.well-known/disclosure-log-keys is the auditor's pinned key.
/// </summary>
public sealed class LogAuditHost : IAsyncLifetime
{
    private readonly string directory = Directory.CreateTempSubdirectory("consent-audit-").FullName;

    public ApiHost Api { get; } = new();

    public string KeysFile => File("keys.json");

    public string EarlierHeadFile => File("earlier-head.json");

    public TreeHead EarlierHead { get; private set; } = null!;

    public TreeHead LatestHead { get; private set; } = null!;

    public string Token { get; private set; } = "";

    public string File(string name) => Path.Combine(directory, name);

    public ECDsa RealKey()
    {
        var key = ECDsa.Create();
        key.ImportFromPem(System.IO.File.ReadAllText(Path.Combine(Api.DataDirectory, "keys", "disclosure-log-signing.pem")));
        return key;
    }

    public async Task InitializeAsync()
    {
        await RealDisclosures.MakeAsync(Api, 10);
        EarlierHead = TreeHeadJson.Parse((await RealDisclosures.SignHeadAsync(Api)).GetRawText());
        await System.IO.File.WriteAllTextAsync(EarlierHeadFile, TreeHeadJson.Write(EarlierHead));
        await RealDisclosures.MakeAsync(Api, 10);
        LatestHead = TreeHeadJson.Parse((await RealDisclosures.SignHeadAsync(Api)).GetRawText());
        await System.IO.File.WriteAllTextAsync(KeysFile,
            await (await Api.Parties.Anonymous().GetAsync("/.well-known/disclosure-log-keys")).Content.ReadAsStringAsync());
        Token = (await Api.Parties.Survivor()).DefaultRequestHeaders.Authorization!.Parameter!;
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }
}

/// <summary>
/// <c>consent log audit</c> against the real API (its requests routed to the in-process host): an honest log passes;
/// a head signed with another key, a fork signed with the real key and a shrunken log fail with exit code 3; an
/// unusable command line or an unreachable API exits 1 or 2 with a message, never a stack trace.
/// </summary>
public sealed class LogAuditTests(LogAuditHost host) : IClassFixture<LogAuditHost>
{
    [Fact]
    public async Task LatestHead_SignedByThePinnedKey_Passes_AndIsSaved()
    {
        var saved = host.File(Guid.NewGuid().ToString("n") + ".json");
        var (exit, output, error) = await AuditAsync("--save-head", saved);

        exit.ShouldBe(ExitCodes.Ok, output + error);
        output.ShouldContain("PASS  Signature of the latest tree head");
        output.ShouldNotContain("FAIL");
        output.ShouldContain("Every check holds.");
        var head = TreeHeadJson.Parse(await File.ReadAllTextAsync(saved));
        head.TreeSize.ShouldBeGreaterThanOrEqualTo(host.LatestHead.TreeSize);
        TreeHeadSignature.Verify(Convert.FromBase64String(JsonDocument.Parse(await File.ReadAllTextAsync(host.KeysFile))
            .RootElement.GetProperty("keys")[0].GetProperty("spki").GetString()!), head).ShouldBeTrue();
    }

    [Fact]
    public async Task AHeadSavedBeforeMoreEntries_IsConsistentWithTheLatest_ByTheConsistencyProof()
    {
        var (exit, output, error) = await AuditAsync("--trusted-head", host.EarlierHeadFile);

        exit.ShouldBe(ExitCodes.Ok, output + error);
        output.ShouldContain("PASS  Signature of the saved tree head");
        output.ShouldContain($"PASS  Consistency: the saved head (size {host.EarlierHead.TreeSize}) is a prefix of the latest");
    }

    [Fact]
    public async Task ALeafRecomputedFromItsEntry_IsIncluded_AndAnotherHashIsNot()
    {
        var compliance = await host.Api.Parties.Compliance();
        var sequence = host.EarlierHead.TreeSize - 3;
        var entry = await (await compliance.GetAsync($"/api/log/entries/{sequence}")).Json();
        var leafHash = Convert.ToHexStringLower(SHA256.HashData([0, .. Convert.FromHexString(entry.GetProperty("leafInput").GetString()!)]));
        leafHash.ShouldBe(entry.GetProperty("leafHash").GetString());

        var (exit, output, error) = await AuditAsync("--leaf", (sequence - 1).ToString(), "--leaf-hash", leafHash);
        exit.ShouldBe(ExitCodes.Ok, output + error);
        output.ShouldContain($"PASS  Inclusion: leaf {sequence - 1} (entry {sequence})");

        var other = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("not an entry")));
        (exit, output, error) = await AuditAsync("--leaf", (sequence - 1).ToString(), "--leaf-hash", other);
        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("FAIL  Inclusion");
    }

    [Fact]
    public async Task ALatestHeadSignedWithAnotherKey_Fails()
    {
        // Someone between the auditor and the API answers a head of their own, naming the log's key.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var real = host.LatestHead;
        var forgedRoot = SHA256.HashData(Encoding.UTF8.GetBytes("forged"));
        var forged = new TreeHead(real.TreeSize, real.Timestamp, forgedRoot, real.KeyId,
            TreeHeadSignature.Sign(other, real.Timestamp, real.TreeSize, forgedRoot));
        using var handler = new AnswerHead(TreeHeadJson.Write(forged), host.Api.Server.CreateHandler());

        var (exit, output, error) = await AuditAsync(handler, "--save-head", host.File("never.json"));

        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("FAIL  Signature of the latest tree head: it does not verify");
        output.ShouldContain("The head was not saved.");
        File.Exists(host.File("never.json")).ShouldBeFalse();
    }

    [Fact]
    public async Task ASavedHeadSignedWithAnotherKey_Fails()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = other.ExportSubjectPublicKeyInfo();
        var earlier = host.EarlierHead;
        var forged = new TreeHead(earlier.TreeSize, earlier.Timestamp, earlier.RootHash, TreeHeadSignature.KeyIdOf(spki),
            TreeHeadSignature.Sign(other, earlier.Timestamp, earlier.TreeSize, earlier.RootHash));
        var file = host.File(Guid.NewGuid().ToString("n") + ".json");
        await File.WriteAllTextAsync(file, TreeHeadJson.Write(forged));

        var (exit, output, error) = await AuditAsync("--trusted-head", file);

        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("FAIL  Signature of the saved tree head: it names key");
        output.ShouldContain("which is not a pinned key");
    }

    [Fact]
    public async Task ASavedHeadWithAnotherRoot_SignedWithTheRealKey_IsAFork()
    {
        using var key = host.RealKey();
        var earlier = host.EarlierHead;
        var otherRoot = SHA256.HashData(Encoding.UTF8.GetBytes("another history"));
        var fork = new TreeHead(earlier.TreeSize, earlier.Timestamp, otherRoot, earlier.KeyId,
            TreeHeadSignature.Sign(key, earlier.Timestamp, earlier.TreeSize, otherRoot));
        var file = host.File(Guid.NewGuid().ToString("n") + ".json");
        await File.WriteAllTextAsync(file, TreeHeadJson.Write(fork));

        var (exit, output, error) = await AuditAsync("--trusted-head", file);

        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("PASS  Signature of the saved tree head");
        output.ShouldContain($"FAIL  FORK: the saved head (size {earlier.TreeSize}, root {Convert.ToHexStringLower(otherRoot)}) is not a prefix");
    }

    [Fact]
    public async Task ASavedHeadAtTheLatestSize_WithAnotherRoot_IsAFork_AndALargerOneMeansTheLogShrank()
    {
        using var key = host.RealKey();
        var latest = host.LatestHead;
        var otherRoot = SHA256.HashData(Encoding.UTF8.GetBytes("another history"));

        // The API may have signed a newer head meanwhile: take the size it serves now.
        var (_, first, _) = await AuditAsync();
        first.ShouldContain($"size {latest.TreeSize:N0},");

        var sameSize = host.File(Guid.NewGuid().ToString("n") + ".json");
        await File.WriteAllTextAsync(sameSize, TreeHeadJson.Write(new TreeHead(latest.TreeSize, latest.Timestamp, otherRoot, latest.KeyId,
            TreeHeadSignature.Sign(key, latest.Timestamp, latest.TreeSize, otherRoot))));
        var (exit, output, error) = await AuditAsync("--trusted-head", sameSize);
        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain($"FAIL  FORK: two heads signed for size {latest.TreeSize}");

        var larger = host.File(Guid.NewGuid().ToString("n") + ".json");
        await File.WriteAllTextAsync(larger, TreeHeadJson.Write(new TreeHead(latest.TreeSize + 5, latest.Timestamp, otherRoot, latest.KeyId,
            TreeHeadSignature.Sign(key, latest.Timestamp, latest.TreeSize + 5, otherRoot))));
        (exit, output, error) = await AuditAsync("--trusted-head", larger);
        exit.ShouldBe(ExitCodes.LogDoesNotVerify, output + error);
        output.ShouldContain("FAIL  Consistency: the latest head has");
    }

    [Fact]
    public async Task UnusableInput_AndAnUnreachableApi_ExitWithAMessage()
    {
        var (exit, _, error) = await RunAsync(host.Api.Server.CreateHandler(),
            "log", "audit", "--api", "http://localhost/", "--token", "not-a-token", "--public-key", host.KeysFile);
        exit.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("refused the access token (401)");

        (exit, _, error) = await RunAsync(null, "log", "audit", "--api", "http://localhost/", "--public-key", host.KeysFile);
        exit.ShouldBe(ExitCodes.Usage);
        error.ShouldContain("CONSENT_TOKEN");

        (exit, _, error) = await AuditAsync("--trusted-head", host.File("missing.json"));
        exit.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("cannot be read");

        (exit, _, error) = await AuditAsync("--leaf", "100000", "--leaf-hash", new string('a', 64));
        exit.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("is not in the latest signed head");

        (exit, _, error) = await AuditAsync("--leaf", "1");
        exit.ShouldBe(ExitCodes.Usage);

        // Port 9 (discard) on the loopback: nothing listens there.
        (exit, _, error) = await RunAsync(null, "log", "audit", "--api", "http://127.0.0.1:9/", "--token", host.Token, "--public-key", host.KeysFile);
        exit.ShouldBe(ExitCodes.Failed);
        error.ShouldContain("cannot be reached");
    }

    private Task<(int, string, string)> AuditAsync(params string[] args) => AuditAsync(null, args);

    private Task<(int, string, string)> AuditAsync(HttpMessageHandler? handler, params string[] args) =>
        RunAsync(handler ?? host.Api.Server.CreateHandler(),
            ["log", "audit", "--api", "http://localhost/", "--token", host.Token, "--public-key", host.KeysFile, .. args]);

    private static async Task<(int, string, string)> RunAsync(HttpMessageHandler? handler, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ConsentCli.RunAsync(args, CliOutput.ForWriters(output, error), http: handler);
        error.ToString().ShouldNotContain("   at ");
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Answers GET /api/log/tree-head with a head of its own; passes every other request to the API.</summary>
    private sealed class AnswerHead(string head, HttpMessageHandler api) : DelegatingHandler(api)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri!.AbsolutePath == "/api/log/tree-head"
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(head, Encoding.UTF8, "application/json") })
                : base.SendAsync(request, cancellationToken);
    }
}
