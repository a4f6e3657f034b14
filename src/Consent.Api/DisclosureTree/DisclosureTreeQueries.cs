using System.Globalization;
using Consent.Api.Caller;
using Consent.Api.DisclosureLog;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Log.Merkle;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.DisclosureTree;

/// <summary>
/// Tree heads, proofs, entries with their leaves, and the signing keys. Proofs are served only to tree sizes that
/// a signed tree head has (an auditor can check a proof only against a root it trusts), and come from the stored
/// complete-subtree hashes: which subtrees a proof needs depends only on the sizes and the leaf, so the proof is
/// first run against a recorder of the subtrees it asks for, those rows are read in one query, and the proof is
/// computed from them. The log is never rehashed to answer.
/// </summary>
public sealed partial class DisclosureTreeQueries(
    ConsentDb db, TreeHeadSigner signer, SignedTreeSizes signedSizes, ILogger<DisclosureTreeQueries> logger)
{
    public const int HeadsDefaultLimit = 100;
    public const int HeadsMaximumLimit = 1000;

    private static readonly string[] NoParameters = [];

    // Compiled once: a proof is two small queries, and building the LINQ expression each time cost as much as running them.
    // Into a class, not a tuple: Npgsql's provider would ask the server for a tuple as one ROW value, which it then cannot read.
    private static readonly Func<ConsentDb, long[], IAsyncEnumerable<SubtreeRow>> SubtreeRows =
        CompiledPerModel.AsyncQuery((ConsentDb db, long[] rows) =>
            db.DisclosureTree.AsNoTracking().Where(r => rows.Contains(r.LeafIndex)).Select(r => new SubtreeRow(r.LeafIndex, r.Hashes)));
    private static readonly string[] HeadsParameters = ["afterId", "limit"];
    private static readonly string[] InclusionParameters = ["leaf", "treeSize"];
    private static readonly string[] ConsistencyParameters = ["from", "to"];

    /// <summary>The latest signed tree head; the first one is signed now if the log has entries but no head yet.</summary>
    public async Task<Outcome<StoredTreeHead>> LatestHeadAsync(IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (Refused(sent, NoParameters) is { } invalid)
        {
            return invalid;
        }

        var latest = await db.TreeHeads.AsNoTracking().OrderByDescending(h => h.Id).FirstOrDefaultAsync(cancellationToken);
        if (latest is not null)
        {
            return latest;
        }

        return await SignAsync(ProblemCatalogue.NoTreeHead, cancellationToken);
    }

    /// <summary>Compliance officers: a head signed now over every committed entry.</summary>
    public async Task<Outcome<StoredTreeHead>> SignNowAsync(ApiCaller caller, IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        if (Refused(sent, NoParameters) is { } invalid)
        {
            return invalid;
        }

        var outcome = await SignAsync(ProblemCatalogue.DisclosureLogEmpty, cancellationToken);
        if (outcome.Value is { } head)
        {
            LogSignedOnDemand(logger, caller.Subject, head.Id);
        }

        return outcome;
    }

    public async Task<Outcome<TreeHeadPage>> HeadsAsync(TreeHeadsQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, HeadsParameters, errors);
        var limit = QueryParameters.Limit(query.Limit, HeadsDefaultLimit, HeadsMaximumLimit, errors);
        var afterId = Count(query.AfterId, "afterId", 0, long.MaxValue, errors) ?? 0;
        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var page = await db.TreeHeads.AsNoTracking().Where(h => h.Id > afterId).OrderBy(h => h.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(limit);
        }

        var next = more
            ? QueryHelpers.AddQueryString("/api/log/tree-heads", new Dictionary<string, string?>
            {
                ["afterId"] = page[^1].Id.ToString(CultureInfo.InvariantCulture),
                ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
            })
            : null;
        return new TreeHeadPage([.. page.Select(TreeHeadView.Of)], next);
    }

    public async Task<Outcome<InclusionProofView>> InclusionAsync(InclusionProofQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, InclusionParameters, errors);
        var leaf = Required(Count(query.Leaf, "leaf", 0, long.MaxValue - 1, errors), query.Leaf, "leaf", errors);
        var treeSize = Required(Count(query.TreeSize, "treeSize", 1, long.MaxValue, errors), query.TreeSize, "treeSize", errors);
        if (leaf is { } i && treeSize is { } n && i >= n)
        {
            errors["leaf"] = ["A leaf index (from 0) below treeSize."];
        }

        if (errors.Count == 0 && !await IsSignedSizeAsync(treeSize!.Value, cancellationToken))
        {
            errors["treeSize"] = [NotSigned];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        try
        {
            var (path, leafHash) = await InclusionProofAsync(leaf!.Value, treeSize!.Value, cancellationToken);
            return new InclusionProofView(leaf.Value, treeSize.Value, Convert.ToHexStringLower(leafHash), [.. path.Select(Convert.ToHexStringLower)]);
        }
        catch (MissingSubtreeException)
        {
            return ProblemCatalogue.DisclosureTreeUnavailable;
        }
    }

    public async Task<Outcome<ConsistencyProofView>> ConsistencyAsync(ConsistencyProofQuery query, IQueryCollection sent, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, ConsistencyParameters, errors);
        var from = Required(Count(query.From, "from", 1, long.MaxValue, errors), query.From, "from", errors);
        var to = Required(Count(query.To, "to", 1, long.MaxValue, errors), query.To, "to", errors);
        if (from is { } m && to is { } n && m > n)
        {
            errors["from"] = ["The first tree size must not be larger than the second (to)."];
        }

        if (errors.Count == 0)
        {
            foreach (var (name, size) in new[] { ("from", from!.Value), ("to", to!.Value) })
            {
                if (!await IsSignedSizeAsync(size, cancellationToken))
                {
                    errors[name] = [NotSigned];
                }
            }
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        try
        {
            var proof = await ConsistencyProofAsync(from!.Value, to!.Value, cancellationToken);
            return new ConsistencyProofView(from.Value, to.Value, [.. proof.Select(Convert.ToHexStringLower)]);
        }
        catch (MissingSubtreeException)
        {
            return ProblemCatalogue.DisclosureTreeUnavailable;
        }
    }

    /// <summary>Compliance officers: an entry as recorded, its leaf input and leaf hash (recomputed from the fields).</summary>
    public async Task<Outcome<LogEntryView>> EntryAsync(ApiCaller caller, string sequenceText, IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, NoParameters, errors);
        var sequence = Count(sequenceText, "sequence", 1, long.MaxValue, errors);
        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var entry = await db.Disclosures.AsNoTracking().FirstOrDefaultAsync(e => e.Sequence == sequence!.Value, cancellationToken);
        if (entry is null)
        {
            return ProblemCatalogue.DisclosureEntryNotFound;
        }

        var leafInput = DisclosureChain.LeafInput(entry);
        LogEntryRead(logger, caller.Subject, entry.Sequence);
        return new LogEntryView(DisclosureEntryView.Of(entry), entry.Sequence - 1, Convert.ToHexStringLower(leafInput),
            Convert.ToHexStringLower(MerkleHash.LeafHash(leafInput)));
    }

    /// <summary>Every key that ever signed tree heads, oldest first.</summary>
    public async Task<Outcome<LogKeySet>> KeysAsync(IQueryCollection sent, CancellationToken cancellationToken)
    {
        if (Refused(sent, NoParameters) is { } invalid)
        {
            return invalid;
        }

        var keys = await db.DisclosureLogKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId).ToListAsync(cancellationToken);
        return new LogKeySet([.. keys.Select(LogKeyView.Of)]);
    }

    /// <summary>PATH(leaf, D[0:treeSize]) and the leaf's hash, from the stored subtrees (one query).</summary>
    internal async Task<(byte[][] Path, byte[] LeafHash)> InclusionProofAsync(long leaf, long treeSize, CancellationToken cancellationToken)
    {
        var subtrees = await StoredSubtreesAsync(treeSize, tree =>
        {
            MerkleTree.InclusionProof(tree, leaf, treeSize);
            tree.CopySubtreeHash(leaf, 0, stackalloc byte[MerkleHash.Size]);
        }, cancellationToken);
        var leafHash = new byte[MerkleHash.Size];
        subtrees.CopySubtreeHash(leaf, 0, leafHash);
        return (MerkleTree.InclusionProof(subtrees, leaf, treeSize), leafHash);
    }

    /// <summary>PROOF(first, D[0:second]) from the stored subtrees (one query).</summary>
    internal async Task<byte[][]> ConsistencyProofAsync(long first, long second, CancellationToken cancellationToken)
    {
        var subtrees = await StoredSubtreesAsync(second, tree => MerkleTree.ConsistencyProof(tree, first, second), cancellationToken);
        return MerkleTree.ConsistencyProof(subtrees, first, second);
    }

    /// <summary>MTH(D[0:treeSize]) from the stored subtrees (one query).</summary>
    internal async Task<byte[]> RootHashAsync(long treeSize, CancellationToken cancellationToken)
    {
        var subtrees = await StoredSubtreesAsync(treeSize, tree => MerkleTree.RootHash(tree, treeSize), cancellationToken);
        return MerkleTree.RootHash(subtrees, treeSize);
    }

    /// <summary>The rows of every subtree <paramref name="compute"/> asks for, read in one query.</summary>
    private async Task<StoredSubtrees> StoredSubtreesAsync(long treeSize, Action<ISubtreeHashes> compute, CancellationToken cancellationToken)
    {
        var recorder = new SubtreeRecorder(treeSize);
        compute(recorder);
        var rows = new Dictionary<long, byte[]>(recorder.Rows.Count);
        await foreach (var row in SubtreeRows(db, [.. recorder.Rows]).WithCancellation(cancellationToken))
        {
            rows[row.LeafIndex] = row.Hashes;
        }

        return new StoredSubtrees(treeSize, rows);
    }

    private Task<bool> IsSignedSizeAsync(long treeSize, CancellationToken cancellationToken) =>
        signedSizes.IsSignedAsync(db, treeSize, cancellationToken);

    /// <summary>A head signed now; <paramref name="whenEmpty"/> when the log has no entry to sign.</summary>
    private async Task<Outcome<StoredTreeHead>> SignAsync(ProblemType whenEmpty, CancellationToken cancellationToken)
    {
        try
        {
            return await signer.SignAsync(cancellationToken) is { } head ? head : whenEmpty;
        }
        catch (DisclosureTreeHaltedException)
        {
            return ProblemCatalogue.DisclosureTreeUnavailable;
        }
    }

    private const string NotSigned = "Not the size of a signed tree head (see /api/log/tree-heads): proofs are served to signed sizes only.";

    private static Problem? Refused(IQueryCollection sent, string[] known)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, known, errors);
        return errors.Count > 0 ? new Problem(ProblemCatalogue.InvalidRequest, null, errors) : null;
    }

    /// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>: digits only, no sign or spaces.</summary>
    private static long? Count(string? text, string field, long minimum, long maximum, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        errors.TryAdd(field, [$"A whole number, {minimum} or more."]);
        return null;
    }

    private static long? Required(long? value, string? sent, string field, Dictionary<string, string[]> errors)
    {
        if (sent is null)
        {
            errors.TryAdd(field, ["Required."]);
        }

        return value;
    }

    /// <summary>Answers nothing, but notes which stored rows each subtree a computation asks for lives in.</summary>
    private sealed class SubtreeRecorder(long count) : ISubtreeHashes
    {
        public HashSet<long> Rows { get; } = [];

        public long Count => count;

        public void CopySubtreeHash(long start, int level, Span<byte> destination)
        {
            Rows.Add(DisclosureTreeRow.RowOf(start, level));
            destination.Clear();
        }
    }

    /// <summary>Subtree hashes from rows read from <c>DisclosureTree</c>.</summary>
    private sealed class StoredSubtrees(long count, Dictionary<long, byte[]> rows) : ISubtreeHashes
    {
        public long Count => count;

        public void CopySubtreeHash(long start, int level, Span<byte> destination)
        {
            var row = DisclosureTreeRow.RowOf(start, level);
            if (!rows.TryGetValue(row, out var hashes) || hashes.Length < (level + 1) * MerkleHash.Size)
            {
                throw new MissingSubtreeException();
            }

            hashes.AsSpan(level * MerkleHash.Size, MerkleHash.Size).CopyTo(destination);
        }
    }

    private sealed record SubtreeRow(long LeafIndex, byte[] Hashes);

    private sealed class MissingSubtreeException() : InvalidOperationException("A subtree the proof needs is not stored.");

    [LoggerMessage(EventId = 4841, Level = LogLevel.Information, Message = "Tree head {Id} signed on request of {Subject}")]
    private static partial void LogSignedOnDemand(ILogger logger, string subject, long id);

    [LoggerMessage(EventId = 4842, Level = LogLevel.Information, Message = "Disclosure log entry {Sequence} read with its leaf by {Subject}")]
    private static partial void LogEntryRead(ILogger logger, string subject, long sequence);
}
