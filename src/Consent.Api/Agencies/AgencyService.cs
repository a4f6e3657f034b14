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

public sealed record UpdateAgency(string? Name, string? Type, string? Region, List<string>? Languages, string? PointOfContact, bool? Active);

/// <summary>The agencies directory: everyone may read it; platform admins add agencies, agency admins edit their own.</summary>
public sealed partial class AgencyService(ConsentDb db, ILogger<AgencyService> logger)
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

        agency.Update(request.Name!.Trim(), request.Type!, request.Region, request.Languages ?? [], request.PointOfContact);
        if (request.Active is { } active && caller.IsPlatformAdmin)
        {
            agency.SetActive(active);
        }

        await db.SaveChangesAsync(cancellationToken);
        LogUpdated(logger, agency.Id);
        return AgencyView.Of(agency);
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

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Agency {AgencyId} updated")]
    private static partial void LogUpdated(ILogger logger, string agencyId);
}
