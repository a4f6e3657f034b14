using System.Text.RegularExpressions;
using Consent.Identity.Data;
using Microsoft.EntityFrameworkCore;

namespace Consent.Identity.Agencies;

/// <summary>Which agencies are suspended; the token endpoint and sign-in ask it before they let anyone through.</summary>
public sealed partial class AgencySuspensions(IdentityDb db, TimeProvider time, ILogger<AgencySuspensions> logger)
{
    public async Task<bool> IsSuspendedAsync(string? agencyId, CancellationToken cancellationToken = default) =>
        !string.IsNullOrEmpty(agencyId) && await db.SuspendedAgencies.AnyAsync(a => a.AgencyId == agencyId, cancellationToken);

    /// <summary>Suspends or reactivates an agency; setting the state it already has changes nothing.</summary>
    public async Task<(AgencyStatus? Status, Dictionary<string, string[]>? Errors)> SetActiveAsync(
        string agencyId, SetAgencyStatus request, string changedBy, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IdPattern().IsMatch(agencyId))
        {
            errors["agencyId"] = ["An agency id is 1-64 lowercase letters, digits, '-', '_' or '.'."];
        }

        if (request.Active is null)
        {
            errors["active"] = ["Say whether the agency is active: true or false."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var suspended = await db.SuspendedAgencies.SingleOrDefaultAsync(a => a.AgencyId == agencyId, cancellationToken);
        if (request.Active == false && suspended is null)
        {
            db.SuspendedAgencies.Add(new SuspendedAgency(agencyId, changedBy, time.GetUtcNow()));
        }
        else if (request.Active == true && suspended is not null)
        {
            db.SuspendedAgencies.Remove(suspended);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two admins suspended the same agency at once: it is suspended, which is what both asked for.
            db.ChangeTracker.Clear();
        }

        LogStatusSet(logger, agencyId, request.Active!.Value, changedBy);
        return (new AgencyStatus(agencyId, request.Active.Value), null);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Agency {AgencyId} set active={Active} by {ChangedBy}")]
    private static partial void LogStatusSet(ILogger logger, string agencyId, bool active, string changedBy);
}

/// <summary>What a platform admin sends: <c>{"active": false}</c> suspends the agency, <c>true</c> reactivates it.</summary>
public sealed record SetAgencyStatus(bool? Active);

/// <summary>The agency's state after the change.</summary>
public sealed record AgencyStatus(string AgencyId, bool Active);
