using Consent.Api.Caller;
using System.Text.RegularExpressions;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Agencies;

public sealed record AgencyView(string Id, string Name, string Type, string? Region, IReadOnlyList<string> Languages, string? PointOfContact, bool Active)
{
    public static AgencyView Of(Agency agency) =>
        new(agency.Id, agency.Name, agency.Type, agency.Region, agency.Languages, agency.PointOfContact, agency.Active);
}

public sealed record CreateAgency(string? Id, string? Name, string? Type, string? Region, List<string>? Languages, string? PointOfContact);

public sealed record AgencyChangeView(Guid Id, string AgencyId, string Field, string OldValue, string NewValue, string ChangedBy, DateTimeOffset ChangedAt)
{
    public static AgencyChangeView Of(AgencyChange c) => new(c.Id, c.AgencyId, c.Field, c.OldValue, c.NewValue, c.ChangedBy, c.ChangedAt);
}

public sealed record UpdateAgency(string? Name, string? Type, string? Region, List<string>? Languages, string? PointOfContact, bool? Active);

/// <summary>
/// The agencies directory: everyone may read it; platform admins add agencies, agency admins edit their own
/// agency's description. What the sharing policy reads (type, active) only a platform admin changes, and every
/// such change is recorded.
/// </summary>
public sealed partial class AgencyService(ConsentDb db, TimeProvider time, ActiveAgencies active, ILogger<AgencyService> logger)
{
    public async Task<List<AgencyView>> ListAsync(CancellationToken cancellationToken) =>
        (await db.Agencies.AsNoTracking().OrderBy(a => a.Id).ToListAsync(cancellationToken)).Select(AgencyView.Of).ToList();

    public async Task<Outcome<AgencyView>> GetAsync(string id, CancellationToken cancellationToken) =>
        await db.Agencies.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken) is { } agency
            ? AgencyView.Of(agency)
            : ProblemCatalogue.AgencyNotFound;

    public async Task<Outcome<AgencyView>> CreateAsync(ApiCaller caller, CreateAgency request, CancellationToken cancellationToken)
    {
        if (!caller.IsPlatformAdmin)
        {
            return ProblemCatalogue.Forbidden;
        }

        if (string.IsNullOrWhiteSpace(request.Id) || !IdPattern().IsMatch(request.Id))
        {
            return ProblemCatalogue.Invalid("id", "Use lower-case letters, digits and hyphens (2 to 64).");
        }

        if (Validate(request.Name, request.Type) is { } problem)
        {
            return problem;
        }

        if (await db.Agencies.AnyAsync(a => a.Id == request.Id, cancellationToken))
        {
            return ProblemCatalogue.AgencyExists;
        }

        var agency = new Agency(request.Id, request.Name!.Trim(), request.Type!, request.Region, request.Languages ?? [], request.PointOfContact);
        db.Agencies.Add(agency);
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(logger, agency.Id);
        return AgencyView.Of(agency);
    }

    public async Task<Outcome<AgencyView>> UpdateAsync(ApiCaller caller, string id, UpdateAgency request, CancellationToken cancellationToken)
    {
        var agency = await db.Agencies.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (agency is null)
        {
            return ProblemCatalogue.AgencyNotFound;
        }

        // The directory is public, so refusing here reveals nothing that a read would not.
        if (!caller.IsPlatformAdmin && !(caller.IsAgencyAdmin && caller.AgencyId == id))
        {
            return ProblemCatalogue.Forbidden;
        }

        if (Validate(request.Name, request.Type) is { } problem)
        {
            return problem;
        }

        var typeChanges = request.Type != agency.Type;
        var activeChanges = request.Active is { } wanted && wanted != agency.Active;
        if ((typeChanges || activeChanges) && !caller.IsPlatformAdmin)
        {
            return ProblemCatalogue.PlatformAdminOnly;
        }

        var now = time.GetUtcNow();
        if (typeChanges)
        {
            db.AgencyChanges.Add(new AgencyChange(Guid.CreateVersion7(now), agency.Id, AgencyChange.TypeField, agency.Type, request.Type!, caller.Subject, now));
            LogPolicyFactChanged(logger, agency.Id, AgencyChange.TypeField, caller.Subject);
        }

        if (activeChanges)
        {
            db.AgencyChanges.Add(new AgencyChange(Guid.CreateVersion7(now), agency.Id, AgencyChange.ActiveField,
                agency.Active ? "true" : "false", request.Active!.Value ? "true" : "false", caller.Subject, now));
            agency.SetActive(request.Active!.Value);
            LogPolicyFactChanged(logger, agency.Id, AgencyChange.ActiveField, caller.Subject);
        }

        agency.Update(request.Name!.Trim(), request.Type!, request.Region, request.Languages ?? [], request.PointOfContact);
        await db.SaveChangesAsync(cancellationToken);
        if (activeChanges)
        {
            active.Forget(agency.Id);
        }

        LogUpdated(logger, agency.Id);
        return AgencyView.Of(agency);
    }

    /// <summary>The recorded changes of an agency's type and status, newest first: platform admins and compliance officers.</summary>
    public async Task<Outcome<List<AgencyChangeView>>> ChangesAsync(ApiCaller caller, string id, CancellationToken cancellationToken)
    {
        if (!await db.Agencies.AnyAsync(a => a.Id == id, cancellationToken))
        {
            return ProblemCatalogue.AgencyNotFound;
        }

        if (!caller.IsPlatformAdmin && !caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var changes = await db.AgencyChanges.AsNoTracking().Where(c => c.AgencyId == id).ToListAsync(cancellationToken);
        return changes.OrderByDescending(c => c.ChangedAt).ThenByDescending(c => c.Id).Select(AgencyChangeView.Of).ToList();
    }

    /// <summary>True when every id names an active agency.</summary>
    public async Task<bool> AllActiveAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToList();
        return await db.Agencies.CountAsync(a => distinct.Contains(a.Id) && a.Active, cancellationToken) == distinct.Count;
    }

    private static Problem? Validate(string? name, string? type)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            return ProblemCatalogue.Invalid("name", "A name of 1 to 200 characters is required.");
        }

        return type is null || !Agency.Types.Contains(type)
            ? ProblemCatalogue.Invalid("type", "One of: " + string.Join(", ", Agency.Types))
            : null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,63}$")]
    private static partial Regex IdPattern();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Agency {AgencyId} created")]
    private static partial void LogCreated(ILogger logger, string agencyId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Agency {AgencyId}: {Field} changed by {ChangedBy}")]
    private static partial void LogPolicyFactChanged(ILogger logger, string agencyId, string field, string changedBy);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Agency {AgencyId} updated")]
    private static partial void LogUpdated(ILogger logger, string agencyId);
}
