using Consent.Api.Fhir;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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
    /// <summary>
    /// The facts version now, asked of the database every time (never cached: a revocation holds from the very next
    /// read). Every read asks it, so it is one hand-written statement on the context's connection (opened here if it
    /// is not yet; the context closes it when the request ends): through EF Core, even compiled, the query's setup
    /// cost more than the statement.
    /// </summary>
    internal static async Task<long> CurrentFactsVersionAsync(ConsentDb db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = "SELECT \"Version\" FROM \"FactsVersions\" WHERE \"Id\" = 1";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The read's context, or null when the caller's agency is not active.</summary>
    public async Task<ReadContext?> OpenAsync(FhirReadRequest request, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // One connection for the whole read (the version, the records, the facts when not cached): opening a pooled
        // SQLite connection costs more than these small queries, and EF Core would open one per query otherwise.
        // The request's DbContext closes it when the request ends. Asking the facts version opens it.
        var version = await CurrentFactsVersionAsync(db, cancellationToken);
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
