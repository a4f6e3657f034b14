using Consent.Api.Caller;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.Survivors;

/// <summary>
/// Who may see and act on a survivor's records. A survivor sees only their own; an advocate only survivors
/// enrolled at their agency and not named on the survivor's deny list; compliance officers read every record and
/// change none. Anyone else gets the same answer as for a survivor who does not exist.
/// </summary>
public sealed class SurvivorAccess(ConsentDb db)
{
    public static bool CanSee(ApiCaller caller, Survivor survivor) =>
        (caller.IsSurvivor && caller.SurvivorId == survivor.Id) ||
        (caller.IsAdvocate && caller.AgencyId == survivor.EnrollingAgencyId) ||
        caller.IsCompliance;

    public static bool CanChange(ApiCaller caller, Survivor survivor) =>
        (caller.IsSurvivor && caller.SurvivorId == survivor.Id) ||
        (caller.IsAdvocate && caller.AgencyId == survivor.EnrollingAgencyId);

    /// <summary>The survivor if the caller may see them; otherwise the not-found problem.</summary>
    public async Task<Outcome<Survivor>> ReadAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken)
    {
        var survivor = await db.Survivors.SingleOrDefaultAsync(s => s.Id == survivorId, cancellationToken);
        return survivor is not null && CanSee(caller, survivor) && !await NamesCallerAsync(caller, survivor.Id, cancellationToken)
            ? survivor
            : ProblemCatalogue.SurvivorNotFound;
    }

    /// <summary>
    /// Survivors whose deny list names this staff member: hidden from them as if they did not exist, although their
    /// agency enrols them (colleagues still see them).
    /// </summary>
    public IQueryable<string> HiddenFrom(ApiCaller caller) =>
        db.DenyEntries.Where(e => e.RemovedAt == null && e.StaffUserId != null && e.StaffUserId == caller.Subject).Select(e => e.SurvivorId);

    private async Task<bool> NamesCallerAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken) =>
        !caller.IsSurvivor && !caller.IsCompliance && caller.Subject.Length > 0
        && await HiddenFrom(caller).AnyAsync(id => id == survivorId, cancellationToken);

    /// <summary>The survivor if the caller may change their records; read-only roles get 403 only once they could see it.</summary>
    public async Task<Outcome<Survivor>> ChangeAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(caller, survivorId, cancellationToken);
        if (read.Problem is not null)
        {
            return read;
        }

        return CanChange(caller, read.Value!) ? read : ProblemCatalogue.ReadOnly;
    }

    /// <summary>
    /// Whether the caller may read (or change) a record filed under the survivor: a caller who cannot see the survivor
    /// gets the record's own not-found problem, so it learns nothing about the survivor either.
    /// </summary>
    public async Task<Problem?> RecordAccessAsync(ApiCaller caller, string survivorId, bool forChange, ProblemType notFound,
        CancellationToken cancellationToken)
    {
        var survivor = forChange ? await ChangeAsync(caller, survivorId, cancellationToken) : await ReadAsync(caller, survivorId, cancellationToken);
        return survivor.Problem is not { } problem ? null
            : problem.Kind == ProblemCatalogue.SurvivorNotFound ? new Problem(notFound) : problem;
    }
}
