using System.Security.Cryptography;
using Consent.Api.DisclosureLog;
using Consent.Log.Merkle;

namespace Consent.Api.Tests;

/// <summary>An entry's hash is its Merkle leaf hash: SHA-256(0x00 ‖ canonical encoding ‖ previous hash).</summary>
public sealed class DisclosureLeafTests
{
    [Fact]
    public void EntryHash_IsTheMerkleLeafHashOfItsEncodingFollowedByThePreviousHash()
    {
        var first = DisclosureEntry.Chain(1, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123), APermit("req-1"), DisclosureChain.Genesis);
        var second = DisclosureEntry.Chain(2, DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_124), APermit("req-2"), first.Hash);

        DisclosureChain.LeafInput(second).ShouldBe([.. DisclosureChain.Encode(second), .. Convert.FromHexString(first.Hash)]);
        Convert.FromHexString(second.Hash).ShouldBe(SHA256.HashData([0x00, .. DisclosureChain.Encode(second), .. Convert.FromHexString(first.Hash)]));
        // The documented vector of docs/disclosure-log.md (entry 1 after the genesis hash).
        first.Hash.ShouldBe(DocumentedLeafHash);

        var tree = new MemorySubtreeHashes();
        tree.AppendLeafHash(Convert.FromHexString(first.Hash));
        tree.AppendLeafHash(Convert.FromHexString(second.Hash));
        MerkleTree.RootHash(tree, 2).ShouldBe(MerkleHash.NodeHash(Convert.FromHexString(first.Hash), Convert.FromHexString(second.Hash)));
    }

    private const string DocumentedLeafHash = "7c89c1379fbb503805cd771412c36ff2e761156d9a631a763597f7e9d043ebf7";

    private static DisclosureDraft APermit(string requestId) => new(
        RecipientAgencyId: "northside-clinic",
        ClientId: "northside-ehr",
        UserId: null,
        SurvivorId: "sv-1001",
        ResourceType: "Observation",
        ResourceIds: ["obs-1", "obs-2"],
        PurposeOfUse: "TREAT",
        Decision: DisclosureDecision.Permit,
        Basis: [DisclosureBasis.Mou(Guid.Parse("0192f6a0-0000-7000-8000-000000000002")), DisclosureBasis.Grant(Guid.Parse("0192f6a0-0000-7000-8000-000000000001"))],
        PolicyVersion: "0.1.0",
        RequestId: requestId);
}
