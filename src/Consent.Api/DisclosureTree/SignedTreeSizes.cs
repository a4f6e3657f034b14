using System.Collections.Concurrent;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.DisclosureTree;

/// <summary>
/// Remembers the tree sizes found to be signed, so a proof to a known size does not ask the database again. Heads
/// are append-only, so a size once signed stays signed; a size not (yet) signed is always looked up. Only sizes
/// someone asked a proof for are kept.
/// </summary>
public sealed class SignedTreeSizes
{
    private static readonly Func<ConsentDb, long, CancellationToken, Task<bool>> IsSigned =
        CompiledPerModel.AsyncQuery((ConsentDb db, long size, CancellationToken _) => db.TreeHeads.Any(h => h.TreeSize == size));

    private readonly ConcurrentDictionary<long, byte> known = new();

    public async Task<bool> IsSignedAsync(ConsentDb db, long treeSize, CancellationToken cancellationToken)
    {
        if (known.ContainsKey(treeSize))
        {
            return true;
        }

        if (!await IsSigned(db, treeSize, cancellationToken))
        {
            return false;
        }

        known.TryAdd(treeSize, 0);
        return true;
    }
}
