using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Consent.Api.Storage;

/// <summary>
/// The DbContext's part of append-only (the types have no setters; database triggers refuse UPDATE and DELETE): no
/// tracked disclosure log entry, tree row, signed tree head or log key may be saved as modified or deleted.
/// </summary>
public static class AppendOnly
{
    public static void RefuseChanges(ChangeTracker changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var tracked in changes.Entries())
        {
            if (tracked.State is not (EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var what = tracked.Entity switch
            {
                DisclosureEntry entry => $"The disclosure log is append-only: entry {entry.Sequence}",
                DisclosureTreeRow row => $"The disclosure tree is append-only: the row of leaf {row.LeafIndex}",
                StoredTreeHead head => $"Signed tree heads are append-only: head {head.Id}",
                DisclosureLogKey key => $"Disclosure log keys are append-only: key {key.KeyId}",
                Agencies.AgencyChange change => $"Recorded agency changes are append-only: change {change.Id}",
                _ => null,
            };
            if (what is not null)
            {
                throw new InvalidOperationException($"{what} cannot be {(tracked.State == EntityState.Modified ? "changed" : "deleted")}.");
            }
        }
    }
}
