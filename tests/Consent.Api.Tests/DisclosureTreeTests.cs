using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Consent.Api.Storage;
using Consent.Log.Merkle;
using Consent.Log.TreeHeads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>
/// The API with 13 entries in its disclosure log, appended through the real writer in five steps, a tree head
/// signed by a compliance officer (POST /api/log/tree-heads) after each step: signed sizes 1, 2, 5, 8 and 13.
/// </summary>
public sealed class DisclosureTreeHost : IAsyncLifetime
{
    public static readonly int[] Steps = [1, 1, 3, 3, 5];

    public ApiHost Api { get; } = new();

    /// <summary>The heads as the POSTs answered them, in order.</summary>
    public List<JsonElement> Heads { get; } = [];

    public async Task InitializeAsync()
    {
        var log = Api.Services.GetRequiredService<IDisclosureLog>();
        var compliance = await Api.Parties.Compliance();
        var appended = 0;
        foreach (var step in Steps)
        {
            for (var i = 0; i < step; i++)
            {
                appended++;
                await log.AppendAsync(TreeDrafts.Draft(appended), CancellationToken.None);
            }

            var response = await compliance.PostAsync("/api/log/tree-heads", null);
            Heads.Add(await response.Json(HttpStatusCode.Created));
        }
    }

    public async Task<List<DisclosureEntry>> EntriesAsync()
    {
        await using var scope = Api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsentDb>().Disclosures.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
    }

    public Task DisposeAsync() => Api.DisposeAsync().AsTask();
}

/// <summary>Tree storage, signed tree heads, proofs and keys through the real API, tokens and SQLite file.</summary>
public sealed class DisclosureTreeTests(DisclosureTreeHost host) : IClassFixture<DisclosureTreeHost>
{
    private static readonly long[] SignedSizes = [1, 2, 5, 8, 13];

    private ApiHost Api => host.Api;

    [Fact]
    public void Heads_AreSignedAtEachStep_OverEveryCommittedEntry()
    {
        host.Heads.Select(h => h.GetProperty("treeSize").GetInt64()).ShouldBe(SignedSizes);
        host.Heads.Select(h => h.GetProperty("timestamp").GetInt64()).ShouldBeInOrder();
        foreach (var head in host.Heads)
        {
            head.EnumerateObject().Select(p => p.Name).ShouldBe(["treeSize", "timestamp", "rootHash", "keyId", "signature"]);
            head.GetProperty("rootHash").GetString()!.ShouldMatch("^[0-9a-f]{64}$");
            head.GetProperty("keyId").GetString()!.ShouldMatch("^[0-9a-f]{64}$");
        }
    }

    [Fact]
    public async Task IntegratedTree_RowsEqualTheSubtreesOfTheEntriesHashes()
    {
        var entries = await host.EntriesAsync();
        var memory = MemoryTree(entries);
        await using var scope = Api.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ConsentDb>().DisclosureTree.AsNoTracking().OrderBy(r => r.LeafIndex).ToListAsync();

        rows.Select(r => r.LeafIndex).ShouldBe(Enumerable.Range(0, entries.Count).Select(i => (long)i));
        var expected = new byte[MerkleHash.Size];
        foreach (var row in rows)
        {
            var levels = 1 + (int)long.TrailingZeroCount(~row.LeafIndex);
            row.Hashes.Length.ShouldBe(levels * MerkleHash.Size, $"row {row.LeafIndex}");
            for (var level = 0; level < levels; level++)
            {
                memory.CopySubtreeHash(row.LeafIndex + 1 - (1L << level), level, expected);
                row.Hashes.AsSpan(level * MerkleHash.Size, MerkleHash.Size).ToArray().ShouldBe(expected, $"row {row.LeafIndex}, level {level}");
            }

            Convert.ToHexStringLower(row.Hashes.AsSpan(0, MerkleHash.Size)).ShouldBe(entries[(int)row.LeafIndex].Hash);
        }
    }

    [Fact]
    public async Task TreeHead_SignatureVerifiesWithThePublishedKey_AndItsRootIsTheEntriesRoot()
    {
        var survivor = await Api.Parties.Survivor();
        var head = await (await survivor.GetAsync("/api/log/tree-head")).Json();
        var keys = await (await Api.Parties.Anonymous().GetAsync("/.well-known/disclosure-log-keys")).Json();

        var size = head.GetProperty("treeSize").GetInt64();
        var timestamp = head.GetProperty("timestamp").GetInt64();
        var root = Convert.FromHexString(head.GetProperty("rootHash").GetString()!);
        var signature = Convert.FromBase64String(head.GetProperty("signature").GetString()!);
        var key = keys.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == head.GetProperty("keyId").GetString());
        key.GetProperty("kty").GetString().ShouldBe("EC");
        key.GetProperty("crv").GetString().ShouldBe("P-256");
        key.GetProperty("alg").GetString().ShouldBe("ES256");
        key.GetProperty("use").GetString().ShouldBe("sig");
        var spki = Convert.FromBase64String(key.GetProperty("spki").GetString()!);
        Convert.ToHexStringLower(SHA256.HashData(spki)).ShouldBe(key.GetProperty("kid").GetString());

        // The signed bytes built here from the contract, not by the code under test.
        var signed = new byte[50];
        signed[0] = 0;
        signed[1] = 1;
        BinaryPrimitives.WriteUInt64BigEndian(signed.AsSpan(2), (ulong)timestamp);
        BinaryPrimitives.WriteUInt64BigEndian(signed.AsSpan(10), (ulong)size);
        root.CopyTo(signed, 18);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
        ecdsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence).ShouldBeTrue();
        var point = ecdsa.ExportParameters(false).Q;
        key.GetProperty("x").GetString().ShouldBe(System.Buffers.Text.Base64Url.EncodeToString(point.X));
        key.GetProperty("y").GetString().ShouldBe(System.Buffers.Text.Base64Url.EncodeToString(point.Y));
        TreeHeadSignature.Verify(spki, new TreeHead(size, timestamp, root, key.GetProperty("kid").GetString()!, signature)).ShouldBeTrue();

        // A changed size does not verify.
        TreeHeadSignature.Verify(spki, new TreeHead(size + 1, timestamp, root, key.GetProperty("kid").GetString()!, signature)).ShouldBeFalse();

        var entries = await host.EntriesAsync();
        root.ShouldBe(MerkleTree.RootHash(MemoryTree(entries), size));
        root.ShouldBe(Rfc9162.Mth(LeafHashes(entries), 0, (int)size));
    }

    [Fact]
    public async Task EverySignedHead_HasTheRootOfItsSize()
    {
        var leaves = LeafHashes(await host.EntriesAsync());
        foreach (var head in host.Heads)
        {
            var size = head.GetProperty("treeSize").GetInt32();
            head.GetProperty("rootHash").GetString().ShouldBe(Convert.ToHexStringLower(Rfc9162.Mth(leaves, 0, size)));
        }
    }

    [Fact]
    public async Task InclusionProofs_ForEveryLeafOfEverySignedSize_AreTheRfcPaths_AndVerify()
    {
        var leaves = LeafHashes(await host.EntriesAsync());
        var agency = await Api.Parties.AgencySystem("northside-clinic");
        foreach (var head in host.Heads)
        {
            var size = head.GetProperty("treeSize").GetInt32();
            var root = Convert.FromHexString(head.GetProperty("rootHash").GetString()!);
            for (var leaf = 0; leaf < size; leaf++)
            {
                var proof = await (await agency.GetAsync($"/api/log/proofs/inclusion?leaf={leaf}&treeSize={size}")).Json();
                proof.GetProperty("leafIndex").GetInt64().ShouldBe(leaf);
                proof.GetProperty("treeSize").GetInt64().ShouldBe(size);
                var leafHash = Convert.FromHexString(proof.GetProperty("leafHash").GetString()!);
                leafHash.ShouldBe(leaves[leaf]);
                var path = proof.GetProperty("auditPath").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();

                path.ShouldBe(Rfc9162.Path(leaf, leaves, 0, size), $"leaf {leaf} of {size}");
                MerkleVerifier.VerifyInclusion(leaf, size, leafHash, path, root).ShouldBeTrue($"leaf {leaf} of {size}");
            }
        }
    }

    [Fact]
    public async Task ConsistencyProofs_BetweenEveryPairOfSignedSizes_AreTheRfcProofs_AndVerify()
    {
        var leaves = LeafHashes(await host.EntriesAsync());
        var survivor = await Api.Parties.Survivor();
        foreach (var first in host.Heads)
        {
            foreach (var second in host.Heads)
            {
                var m = first.GetProperty("treeSize").GetInt32();
                var n = second.GetProperty("treeSize").GetInt32();
                if (m > n)
                {
                    continue;
                }

                var proof = await (await survivor.GetAsync($"/api/log/proofs/consistency?from={m}&to={n}")).Json();
                proof.GetProperty("first").GetInt64().ShouldBe(m);
                proof.GetProperty("second").GetInt64().ShouldBe(n);
                var hashes = proof.GetProperty("consistency").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();

                hashes.ShouldBe(m == n ? [] : Rfc9162.Proof(m, leaves, n), $"{m} to {n}");
                MerkleVerifier.VerifyConsistency(m, n, Convert.FromHexString(first.GetProperty("rootHash").GetString()!),
                    Convert.FromHexString(second.GetProperty("rootHash").GetString()!), hashes).ShouldBeTrue($"{m} to {n}");
            }
        }
    }

    [Fact]
    public async Task Entry_ForComplianceOfficers_CarriesTheLeafInputThatHashesToTheEntrysHash()
    {
        var compliance = await Api.Parties.Compliance();
        var body = await (await compliance.GetAsync("/api/log/entries/5")).Json();
        var entries = await host.EntriesAsync();

        body.GetProperty("leafIndex").GetInt64().ShouldBe(4);
        body.GetProperty("entry").GetProperty("sequence").GetInt64().ShouldBe(5);
        body.GetProperty("entry").GetProperty("requestId").GetString().ShouldBe(entries[4].RequestId);
        var input = Convert.FromHexString(body.GetProperty("leafInput").GetString()!);
        Convert.ToHexStringLower(SHA256.HashData([0x00, .. input])).ShouldBe(entries[4].Hash);
        body.GetProperty("leafHash").GetString().ShouldBe(entries[4].Hash);
        input[^32..].ShouldBe(Convert.FromHexString(entries[3].Hash), "the leaf input ends with the previous hash");

        await (await compliance.GetAsync("/api/log/entries/9999")).Problem(HttpStatusCode.NotFound, "disclosure-entry-not-found");
    }

    [Fact]
    public async Task TreeHeads_ArePagedInIssueOrder()
    {
        var survivor = await Api.Parties.Survivor();
        var sizes = new List<long>();
        string? next = "/api/log/tree-heads?limit=2";
        var pages = 0;
        while (next is not null)
        {
            var page = await (await survivor.GetAsync(next)).Json();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            items.Count.ShouldBeLessThanOrEqualTo(2);
            sizes.AddRange(items.Select(i => i.GetProperty("treeSize").GetInt64()));
            next = page.GetProperty("next").GetString();
            pages++;
        }

        pages.ShouldBeGreaterThanOrEqualTo(3);
        sizes.Take(SignedSizes.Length).ShouldBe(SignedSizes);
        sizes.ShouldBeInOrder();
    }

    [Theory]
    [InlineData("/api/log/tree-head")]
    [InlineData("/api/log/tree-heads")]
    [InlineData("/api/log/proofs/inclusion?leaf=0&treeSize=1")]
    [InlineData("/api/log/proofs/consistency?from=1&to=2")]
    [InlineData("/api/log/entries/1")]
    public async Task Anonymous_IsRefused(string url)
    {
        var response = await Api.Parties.Anonymous().GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Api.Parties.Anonymous().PostAsync("/api/log/tree-heads", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OnlyComplianceOfficers_SignHeadsOnDemand_AndReadEntriesWithTheirLeaves()
    {
        foreach (var caller in new[] { await Api.Parties.Advocate(), await Api.Parties.Survivor(), await Api.Parties.AgencySystem("northside-clinic") })
        {
            var text = await (await caller.PostAsync("/api/log/tree-heads", null)).Problem(HttpStatusCode.Forbidden, "forbidden");
            text = await (await caller.GetAsync("/api/log/entries/1")).Problem(HttpStatusCode.Forbidden, "forbidden");
            text.ShouldNotContain("sv-");
        }

        // Everyone with a token reads heads and proofs; the keys are public.
        (await (await Api.Parties.AgencySystem("northside-clinic")).GetAsync("/api/log/tree-head")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await Api.Parties.Advocate()).GetAsync("/api/log/tree-heads")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var keys = await (await Api.Parties.Anonymous().GetAsync("/.well-known/disclosure-log-keys")).Json();
        keys.GetProperty("keys").GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [InlineData("/api/log/proofs/inclusion?leaf=5&treeSize=5", "leaf")]
    [InlineData("/api/log/proofs/inclusion?leaf=0&treeSize=4", "treeSize")]
    [InlineData("/api/log/proofs/inclusion?leaf=0&treeSize=14", "treeSize")]
    [InlineData("/api/log/proofs/inclusion?leaf=-1&treeSize=5", "leaf")]
    [InlineData("/api/log/proofs/inclusion?leaf=one&treeSize=5", "leaf")]
    [InlineData("/api/log/proofs/inclusion?leaf=0&treeSize=0", "treeSize")]
    [InlineData("/api/log/proofs/inclusion?leaf=0&treeSize=99999999999999999999", "treeSize")]
    [InlineData("/api/log/proofs/inclusion?treeSize=5", "leaf")]
    [InlineData("/api/log/proofs/inclusion?leaf=0", "treeSize")]
    [InlineData("/api/log/proofs/inclusion?leaf=0&treeSize=5&tree_size=5", "tree_size")]
    [InlineData("/api/log/proofs/inclusion?leaf=0&leaf=1&treeSize=5", "leaf")]
    [InlineData("/api/log/proofs/inclusion?leaf=%200&treeSize=5", "leaf")]
    [InlineData("/api/log/proofs/consistency?from=8&to=5", "from")]
    [InlineData("/api/log/proofs/consistency?from=3&to=5", "from")]
    [InlineData("/api/log/proofs/consistency?from=5&to=7", "to")]
    [InlineData("/api/log/proofs/consistency?from=0&to=5", "from")]
    [InlineData("/api/log/proofs/consistency?from=1.0&to=5", "from")]
    [InlineData("/api/log/proofs/consistency?from=1", "to")]
    [InlineData("/api/log/proofs/consistency?from=1&to=5&first=1", "first")]
    [InlineData("/api/log/tree-heads?limit=0", "limit")]
    [InlineData("/api/log/tree-heads?limit=1001", "limit")]
    [InlineData("/api/log/tree-heads?afterId=-3", "afterId")]
    [InlineData("/api/log/tree-heads?after=3", "after")]
    [InlineData("/api/log/tree-head?size=3", "size")]
    [InlineData("/api/log/entries/0", "sequence")]
    [InlineData("/api/log/entries/abc", "sequence")]
    [InlineData("/api/log/entries/1?full=true", "full")]
    public async Task BadParameters_AreRefused_NamingTheParameter(string url, string parameter)
    {
        var compliance = await Api.Parties.Compliance();
        var text = await (await compliance.GetAsync(url)).Problem(HttpStatusCode.BadRequest, "invalid-request");
        JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue(text);
    }

    [Fact]
    public async Task WellKnownKeys_RefuseUnknownParameters()
    {
        await (await Api.Parties.Anonymous().GetAsync("/.well-known/disclosure-log-keys?kid=x")).Problem(HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task TreeTables_RefuseUpdateAndDelete_InTheDatabase_AndInTheDbContext()
    {
        await using var scope = Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        string[] statements =
        [
            "UPDATE \"DisclosureTree\" SET \"Hashes\" = zeroblob(32) WHERE \"LeafIndex\" = 0",
            "DELETE FROM \"DisclosureTree\" WHERE \"LeafIndex\" = 12",
            "UPDATE \"DisclosureTreeHeads\" SET \"TreeSize\" = 3 WHERE \"Id\" = 1",
            "DELETE FROM \"DisclosureTreeHeads\"",
            "UPDATE \"DisclosureLogKeys\" SET \"CreatedAt\" = 0",
            "DELETE FROM \"DisclosureLogKeys\"",
        ];
        foreach (var sql in statements)
        {
            var refused = await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => db.Database.ExecuteSqlRawAsync(sql));
            refused.Message.ShouldContain("append-only");
        }

        var row = await db.DisclosureTree.FirstAsync(r => r.LeafIndex == 0);
        db.DisclosureTree.Remove(row);
        (await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync())).Message.ShouldContain("append-only");
        db.ChangeTracker.Clear();

        var head = await db.TreeHeads.FirstAsync();
        db.Entry(head).State = EntityState.Modified;
        (await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync())).Message.ShouldContain("append-only");
        db.ChangeTracker.Clear();

        var key = await db.DisclosureLogKeys.FirstAsync();
        db.DisclosureLogKeys.Remove(key);
        (await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync())).Message.ShouldContain("append-only");
        db.ChangeTracker.Clear();

        (await db.DisclosureTree.CountAsync()).ShouldBeGreaterThanOrEqualTo(13);
        (await db.DisclosureLogKeys.CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task OpenApi_DocumentsTheTreeEndpoints_WithTheirParametersAndProblems()
    {
        var paths = (await (await Api.Parties.Anonymous().GetAsync("/openapi/v1.json")).Json()).GetProperty("paths");
        static IEnumerable<string> Statuses(JsonElement operation) => operation.GetProperty("responses").EnumerateObject().Select(r => r.Name);
        static IEnumerable<string?> Parameters(JsonElement operation) =>
            operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString());

        Statuses(paths.GetProperty("/api/log/tree-head").GetProperty("get")).ShouldBe(["200", "400", "404", "503", "401", "403", "429"], ignoreOrder: true);
        Statuses(paths.GetProperty("/api/log/tree-heads").GetProperty("post")).ShouldBe(["201", "403", "400", "409", "503", "401", "413", "429"], ignoreOrder: true);
        Parameters(paths.GetProperty("/api/log/tree-heads").GetProperty("get")).ShouldBe(["afterId", "limit"], ignoreOrder: true);
        Parameters(paths.GetProperty("/api/log/proofs/inclusion").GetProperty("get")).ShouldBe(["leaf", "treeSize"], ignoreOrder: true);
        Parameters(paths.GetProperty("/api/log/proofs/consistency").GetProperty("get")).ShouldBe(["from", "to"], ignoreOrder: true);
        Statuses(paths.GetProperty("/api/log/entries/{sequence}").GetProperty("get")).ShouldBe(["200", "403", "400", "404", "401", "429", "503"], ignoreOrder: true);
        Statuses(paths.GetProperty("/.well-known/disclosure-log-keys").GetProperty("get")).ShouldContain("200");
    }

    internal static MemorySubtreeHashes MemoryTree(IEnumerable<DisclosureEntry> entries)
    {
        var memory = new MemorySubtreeHashes();
        foreach (var entry in entries)
        {
            memory.AppendLeafHash(Convert.FromHexString(entry.Hash));
        }

        return memory;
    }

    /// <summary>Each entry's leaf hash recomputed from its fields: SHA-256(0x00 ‖ encoding ‖ previous hash).</summary>
    internal static byte[][] LeafHashes(List<DisclosureEntry> entries) =>
        [.. entries.Select(e =>
        {
            var hash = SHA256.HashData([0x00, .. DisclosureChain.LeafInput(e)]);
            Convert.ToHexStringLower(hash).ShouldBe(e.Hash);
            return hash;
        })];
}

internal static class TreeDrafts
{
    public static DisclosureDraft Draft(int n) => new(
        "northside-clinic", "northside-ehr", n % 2 == 0 ? null : $"nurse-{n}", $"sv-{1000 + n % 3}", "Observation", [$"Observation/o{n}"], "TREAT",
        DisclosureDecision.Permit, [DisclosureBasis.Grant(Guid.CreateVersion7()), DisclosureBasis.Mou(Guid.CreateVersion7())], "0.1.0",
        "req-" + Guid.NewGuid().ToString("n"));
}

/// <summary>
/// RFC 9162 section 2.1 by its recursive definitions, written out here so the API's proofs are checked against
/// the RFC itself, not against the code that made them.
/// </summary>
internal static class Rfc9162
{
    public static byte[] Mth(byte[][] leaves, int start, int end)
    {
        var n = end - start;
        if (n == 0)
        {
            return SHA256.HashData([]);
        }

        if (n == 1)
        {
            return leaves[start];
        }

        var k = LargestPowerOfTwoBelow(n);
        return SHA256.HashData([0x01, .. Mth(leaves, start, start + k), .. Mth(leaves, start + k, end)]);
    }

    /// <summary>PATH(m, D[start:end]).</summary>
    public static List<byte[]> Path(int m, byte[][] leaves, int start, int end)
    {
        var n = end - start;
        if (n == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(n);
        return m < k
            ? [.. Path(m, leaves, start, start + k), Mth(leaves, start + k, end)]
            : [.. Path(m - k, leaves, start + k, end), Mth(leaves, start, start + k)];
    }

    /// <summary>PROOF(m, D[0:n]).</summary>
    public static List<byte[]> Proof(int m, byte[][] leaves, int n) => SubProof(m, leaves, 0, n, true);

    private static List<byte[]> SubProof(int m, byte[][] leaves, int start, int end, bool b)
    {
        var n = end - start;
        if (m == n)
        {
            return b ? [] : [Mth(leaves, start, end)];
        }

        var k = LargestPowerOfTwoBelow(n);
        return m <= k
            ? [.. SubProof(m, leaves, start, start + k, b), Mth(leaves, start + k, end)]
            : [.. SubProof(m - k, leaves, start + k, end, false), Mth(leaves, start, start + k)];
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k << 1 < n)
        {
            k <<= 1;
        }

        return k;
    }
}
