using Consent.Api.Storage;
using Consent.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using ApiGrant = Consent.Api.Consents.ConsentGrant;
using ApiMou = Consent.Api.Mous.Mou;
using PolicyStatutoryBasis = Consent.Policies.StatutoryBasis;

namespace Consent.Api.Sharing;

/// <summary>The facts of one survivor as one recipient agency would be judged on them, loaded at one facts version.</summary>
internal sealed record LoadedFacts(long Version, SurvivorFacts? Survivor, List<ApiGrant> Grants, List<DenyListEntry> DenyList,
    List<PolicyStatutoryBasis> Bases, List<ApiMou> Mous);

/// <summary>
/// Loaded facts per (survivor, recipient agency), reused while the facts version has not moved. Bounded: the least
/// recently used go first, and unused ones after five minutes.
/// </summary>
public sealed class SharingFactsCache() : MemoryCache(new MemoryCacheOptions { SizeLimit = 10_000 });

/// <summary>
/// Loads what the policy needs about one survivor for one recipient, one indexed query per kind: the survivor, the
/// recipient's grants, the deny list, the statutory bases, the recipient's MOUs; and keeps it per facts version (any
/// change to a fact moves the version in the same transaction: <see cref="FactsVersion"/>).
/// </summary>
public sealed class SharingFacts(ConsentDb db, SharingFactsCache cache)
{
    internal async Task<LoadedFacts> GetAsync(string recipientAgencyId, string survivorId, long factsVersion, CancellationToken cancellationToken)
    {
        var key = (survivorId, recipientAgencyId);
        if (!cache.TryGetValue(key, out LoadedFacts? facts) || facts!.Version != factsVersion)
        {
            facts = await LoadAsync(recipientAgencyId, survivorId, factsVersion, cancellationToken);
            cache.Set(key, facts, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(5) });
        }

        return facts;
    }

    private async Task<LoadedFacts> LoadAsync(string recipientAgencyId, string survivorId, long version, CancellationToken cancellationToken)
    {
        var survivor = await db.Survivors.AsNoTracking().Where(s => s.Id == survivorId)
            .Select(s => new { s.Id, s.DateOfBirth }).FirstOrDefaultAsync(cancellationToken);
        var grants = await db.Consents.AsNoTracking()
            .Where(g => g.SurvivorId == survivorId && g.RecipientAgencyId == recipientAgencyId).ToListAsync(cancellationToken);
        var denied = await db.DenyEntries.AsNoTracking()
            .Where(d => d.SurvivorId == survivorId && d.RemovedAt == null)
            .Select(d => new DenyListEntry { AgencyId = d.AgencyId, UserId = d.StaffUserId }).ToListAsync(cancellationToken);
        var bases = await db.StatutoryBases.AsNoTracking().Where(b => b.SurvivorId == survivorId).ToListAsync(cancellationToken);
        var mous = await db.Mous.AsNoTracking()
            .Where(m => m.Parties.Any(p => p.AgencyId == recipientAgencyId)).ToListAsync(cancellationToken);
        return new LoadedFacts(version,
            survivor is null ? null : new SurvivorFacts { Id = survivor.Id, DateOfBirth = survivor.DateOfBirth },
            grants, denied, [.. bases.Select(PolicyInputs.Basis)], mous);
    }
}
