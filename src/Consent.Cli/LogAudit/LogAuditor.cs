using System.Globalization;
using Consent.Log.Merkle;
using Consent.Log.TreeHeads;

namespace Consent.Cli.LogAudit;

/// <summary>
/// The audit's steps, each printed as PASS or FAIL: the latest head's signature under a pinned key; a saved head's
/// signature, and the consistency of the latest head with it (equal sizes: equal roots; a larger size: an RFC 9162
/// consistency proof; a smaller size: a failure); the inclusion of a leaf in the latest head. Nothing the API says is
/// trusted except through a signature by a pinned key or a proof checked here.
/// </summary>
internal sealed class LogAuditor(TreeHeadApi api, IReadOnlyList<byte[]> pinnedKeys, CliOutput output)
{
    private int failed;

    public async Task<int> RunAsync(TreeHead? saved, (long Index, byte[] Hash)? leaf, string? saveTo, CancellationToken cancellationToken)
    {
        await output.Out.WriteLineAsync($"Auditing the disclosure log of {api.BaseUrl} with {Keys()}.");
        var head = await api.LatestHeadAsync(cancellationToken);
        await output.Out.WriteLineAsync($"Latest tree head: size {Count(head.TreeSize)}, {When(head.Timestamp)}, root {Hex(head.RootHash)}, key {head.KeyId}.");
        if (!await SignedAsync(head, "the latest tree head"))
        {
            // Nothing else can be checked against a root that no pinned key vouches for.
            return await DoneAsync(head, saveTo);
        }

        if (saved is not null)
        {
            await output.Out.WriteLineAsync($"Saved tree head: size {Count(saved.TreeSize)}, {When(saved.Timestamp)}, root {Hex(saved.RootHash)}.");
            if (await SignedAsync(saved, "the saved tree head"))
            {
                await ConsistentAsync(saved, head, cancellationToken);
            }
        }

        if (leaf is { } check)
        {
            await IncludedAsync(check.Index, check.Hash, head, cancellationToken);
        }

        return await DoneAsync(head, saveTo);
    }

    private async Task<bool> SignedAsync(TreeHead head, string what)
    {
        var key = pinnedKeys.FirstOrDefault(k => TreeHeadSignature.KeyIdOf(k) == head.KeyId);
        if (key is null)
        {
            return await FailAsync($"Signature of {what}: it names key {head.KeyId}, which is not a pinned key. "
                + "A head signed by another key is not the log's (or the log's key was rotated: get the new key from a source you trust).");
        }

        return TreeHeadSignature.Verify(key, head)
            ? await PassAsync($"Signature of {what}: ECDSA P-256 by pinned key {head.KeyId[..16]}… over size {Count(head.TreeSize)} and its root.")
            : await FailAsync($"Signature of {what}: it does not verify under pinned key {head.KeyId[..16]}…: the head was forged or altered.");
    }

    private async Task ConsistentAsync(TreeHead saved, TreeHead head, CancellationToken cancellationToken)
    {
        if (head.Timestamp < saved.Timestamp)
        {
            await FailAsync($"Order: the latest head ({When(head.Timestamp)}) is older than the saved one ({When(saved.Timestamp)}): "
                + "the API shows a stale head.");
        }

        if (head.TreeSize < saved.TreeSize)
        {
            await FailAsync($"Consistency: the latest head has {Count(head.TreeSize)} entries, fewer than the {Count(saved.TreeSize)} of the saved head: "
                + "entries were removed, or the API shows another history (a fork).");
            return;
        }

        if (head.TreeSize == saved.TreeSize)
        {
            if (head.RootHash.AsSpan().SequenceEqual(saved.RootHash))
            {
                await PassAsync($"Consistency: same size ({Count(head.TreeSize)}), same root as the saved head.");
            }
            else
            {
                await FailAsync($"FORK: two heads signed for size {Count(head.TreeSize)} with different roots (saved {Hex(saved.RootHash)}, "
                    + $"latest {Hex(head.RootHash)}): the log was rewritten, or readers are shown different histories.");
            }

            return;
        }

        var (proof, problem) = await api.ConsistencyAsync(saved.TreeSize, head.TreeSize, cancellationToken);
        if (proof is null)
        {
            await FailAsync($"Consistency from size {Count(saved.TreeSize)} to {Count(head.TreeSize)}: {problem}. "
                + "The log's key signed the saved size, so the API must be able to prove it.");
        }
        else if (MerkleVerifier.VerifyConsistency(saved.TreeSize, head.TreeSize, saved.RootHash, head.RootHash, proof))
        {
            await PassAsync($"Consistency: the saved head (size {Count(saved.TreeSize)}) is a prefix of the latest (size {Count(head.TreeSize)}); "
                + $"proof of {proof.Count} hashes verified.");
        }
        else
        {
            await FailAsync($"FORK: the saved head (size {Count(saved.TreeSize)}, root {Hex(saved.RootHash)}) is not a prefix of the latest "
                + $"(size {Count(head.TreeSize)}): the consistency proof does not verify. The log was rewritten, or readers are shown different histories.");
        }
    }

    private async Task IncludedAsync(long index, byte[] leafHash, TreeHead head, CancellationToken cancellationToken)
    {
        if (index >= head.TreeSize)
        {
            throw new CommandFailed($"Leaf {index} (entry {index + 1}) is not in the latest signed head (size {Count(head.TreeSize)}) yet: "
                + "wait for the next head (signed every minute while the log grows) or have a compliance officer sign one (POST /api/log/tree-heads).");
        }

        var (proof, problem) = await api.InclusionAsync(index, head.TreeSize, cancellationToken);
        if (proof is null)
        {
            await FailAsync($"Inclusion of leaf {index} (entry {index + 1}) in size {Count(head.TreeSize)}: {problem}.");
        }
        else if (MerkleVerifier.VerifyInclusion(index, head.TreeSize, leafHash, proof, head.RootHash))
        {
            await PassAsync($"Inclusion: leaf {index} (entry {index + 1}) with hash {Hex(leafHash)} is in the latest head; audit path of {proof.Count} hashes verified.");
        }
        else
        {
            await FailAsync($"Inclusion: leaf {index} (entry {index + 1}) with hash {Hex(leafHash)} is NOT in the latest head: "
                + "the entry was changed, or that leaf holds another entry.");
        }
    }

    private async Task<int> DoneAsync(TreeHead head, string? saveTo)
    {
        if (failed > 0)
        {
            await output.Out.WriteLineAsync($"The log does NOT verify: {failed} check(s) failed.{(saveTo is null ? "" : " The head was not saved.")}");
            return ExitCodes.LogDoesNotVerify;
        }

        if (saveTo is not null)
        {
            try
            {
                await File.WriteAllTextAsync(saveTo, TreeHeadJson.Write(head) + Environment.NewLine);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CommandFailed($"The head verified but cannot be saved to {saveTo}: {e.Message}");
            }

            await output.Out.WriteLineAsync($"Saved the verified head (size {Count(head.TreeSize)}) to {saveTo}.");
        }

        await output.Out.WriteLineAsync("Every check holds.");
        return ExitCodes.Ok;
    }

    private async Task<bool> PassAsync(string message)
    {
        await output.Out.WriteLineAsync("PASS  " + message);
        return true;
    }

    private async Task<bool> FailAsync(string message)
    {
        failed++;
        await output.Out.WriteLineAsync("FAIL  " + message);
        return false;
    }

    private string Keys() => pinnedKeys.Count == 1
        ? $"pinned key {TreeHeadSignature.KeyIdOf(pinnedKeys[0])[..16]}…"
        : $"{pinnedKeys.Count} pinned keys";

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string When(long timestamp) =>
        "signed " + DateTimeOffset.FromUnixTimeMilliseconds(timestamp).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
