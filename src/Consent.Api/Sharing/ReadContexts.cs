using Consent.Api.Fhir;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Consent.Api.Sharing;

/// <summary>Who reads, why, at which facts version, and the request the disclosure log will name.</summary>
public sealed record ReadContext(FhirCaller Caller, string AgencyType, long FactsVersion, string PurposeCode, string? BreakGlassReason,
    string RequestId);

/// <summary>
/// Opens a read: one database connection for all of it, the current facts version, and the caller's agency type
/// (cached per facts version; a deactivated agency reads nothing).
/// </summary>
public sealed class ReadContexts(ConsentDb db, SharingFactsCache cache)
{
    /// <summary>The facts version now (compiled once: every read asks it).</summary>
    internal static readonly Func<ConsentDb, Task<long>> CurrentFactsVersion = CompiledPerModel.AsyncQuery(
        (ConsentDb db) => db.FactsVersions.AsNoTracking().Select(v => v.Version).First());

    /// <summary>The read's context, or null when the caller's agency is not active.</summary>
    public async Task<ReadContext?> OpenAsync(FhirReadRequest request, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // One connection for the whole read (the version, the records, the facts when not cached): opening a pooled
        // SQLite connection costs more than these small queries, and EF Core would open one per query otherwise.
        // The request's DbContext closes it when the request ends.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var version = await CurrentFactsVersion(db);
        var caller = request.Caller;
        var key = ("agency-type", caller.AgencyId);
        if (!cache.TryGetValue(key, out (long Version, string? Type) agency) || agency.Version != version)
        {
            agency = (version, await db.Agencies.AsNoTracking().Where(a => a.Id == caller.AgencyId && a.Active).Select(a => a.Type)
                .FirstOrDefaultAsync(cancellationToken));
            cache.Set(key, agency, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(5) });
        }

        return agency.Type is null
            ? null
            : new ReadContext(caller, agency.Type, version, request.PurposeCode, request.BreakGlassReason, requestId);
    }
}
