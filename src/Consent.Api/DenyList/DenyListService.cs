using Consent.Api.Caller;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.DenyList;

public sealed record DenyEntryView(Guid Id, string? AgencyId, string? StaffUserId, string? Reason, DateTimeOffset AddedAt)
{
    public static DenyEntryView Of(DenyEntry e) => new(e.Id, e.AgencyId, e.StaffUserId, e.Reason, e.AddedAt);
}

public sealed record AddDenyEntry(string? AgencyId, string? StaffUserId, string? Reason);

/// <summary>The survivor's deny list: the survivor, or an advocate of their agency with them, keeps it.</summary>
public sealed partial class DenyListService(ConsentDb db, SurvivorAccess access, TimeProvider time, ILogger<DenyListService> logger)
{
    public async Task<Outcome<List<DenyEntryView>>> ListAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken)
    {
        var read = await access.ReadAsync(caller, survivorId, cancellationToken);
        if (read.Problem is { } problem)
        {
            return problem;
        }

        return (await db.DenyEntries.AsNoTracking().Where(e => e.SurvivorId == survivorId && e.RemovedAt == null)
            .ToListAsync(cancellationToken)).OrderBy(e => e.AddedAt).Select(DenyEntryView.Of).ToList();
    }

    public async Task<Outcome<DenyEntryView>> AddAsync(ApiCaller caller, string survivorId, AddDenyEntry request, CancellationToken cancellationToken)
    {
        var change = await access.ChangeAsync(caller, survivorId, cancellationToken);
        if (change.Problem is { } problem)
        {
            return problem;
        }

        var agencyId = string.IsNullOrWhiteSpace(request.AgencyId) ? null : request.AgencyId;
        var staffUserId = string.IsNullOrWhiteSpace(request.StaffUserId) ? null : request.StaffUserId;
        if ((agencyId is null) == (staffUserId is null))
        {
            return ProblemCatalogue.Invalid("agencyId", "Name either an agency or a member of staff.");
        }

        if (agencyId is not null && await db.Agencies.AnyAsync(a => a.Id == agencyId, cancellationToken) is false)
        {
            return ProblemCatalogue.UnknownAgency;
        }

        if (await db.DenyEntries.AnyAsync(e => e.SurvivorId == survivorId && e.RemovedAt == null &&
                                               e.AgencyId == agencyId && e.StaffUserId == staffUserId, cancellationToken))
        {
            return ProblemCatalogue.DenyEntryExists;
        }

        var entry = new DenyEntry(Guid.CreateVersion7(time.GetUtcNow()), survivorId, agencyId, staffUserId,
            request.Reason?.Trim(), caller.Subject, time.GetUtcNow());
        db.DenyEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        LogAdded(logger, entry.Id, survivorId);
        return DenyEntryView.Of(entry);
    }

    public async Task<Outcome<DenyEntryView>> RemoveAsync(ApiCaller caller, string survivorId, string entryId, CancellationToken cancellationToken)
    {
        var change = await access.ChangeAsync(caller, survivorId, cancellationToken);
        if (change.Problem is { } problem)
        {
            return problem;
        }

        var entry = Guid.TryParse(entryId, out var id)
            ? await db.DenyEntries.SingleOrDefaultAsync(e => e.Id == id && e.SurvivorId == survivorId && e.RemovedAt == null, cancellationToken)
            : null;
        if (entry is null)
        {
            return ProblemCatalogue.DenyEntryNotFound;
        }

        entry.Remove(caller.Subject, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        LogRemoved(logger, entry.Id, survivorId);
        return DenyEntryView.Of(entry);
    }

    /// <summary>True when the survivor's deny list names the agency.</summary>
    public Task<bool> DeniesAgencyAsync(string survivorId, string agencyId, CancellationToken cancellationToken) =>
        db.DenyEntries.AnyAsync(e => e.SurvivorId == survivorId && e.RemovedAt == null && e.AgencyId == agencyId, cancellationToken);

    public async Task<HashSet<string>> DeniedAgenciesAsync(string survivorId, CancellationToken cancellationToken) =>
        (await db.DenyEntries.Where(e => e.SurvivorId == survivorId && e.RemovedAt == null && e.AgencyId != null)
            .Select(e => e.AgencyId!).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Deny entry {EntryId} added for survivor {SurvivorId}")]
    private static partial void LogAdded(ILogger logger, Guid entryId, string survivorId);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Deny entry {EntryId} removed for survivor {SurvivorId}")]
    private static partial void LogRemoved(ILogger logger, Guid entryId, string survivorId);
}
