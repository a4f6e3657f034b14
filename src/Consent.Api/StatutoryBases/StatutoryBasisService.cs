using Consent.Api.Agencies;
using Consent.Api.Caller;
using Consent.Api.DenyList;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Api.Survivors;
using Consent.Api.Vocabulary;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.StatutoryBases;

public sealed record InvolvedAgencyView(string AgencyId, InvolvedRole Role, bool OverriddenByDenyList);

public sealed record StatutoryBasisView(
    Guid Id, string Kind, string SurvivorId, string ReporterAgencyId, ReporterRole ReporterRole, DateOnly ReportDate, string CaseNumber,
    string Purpose, IReadOnlyList<InvolvedAgencyView> InvolvedAgencies, DecisionMaker? DecisionMaker, bool Open,
    DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt, string? CloseReason)
{
    /// <summary>
    /// What a reporter outside the survivor's agency gets back: the case they filed, nothing about the survivor
    /// (no deny-list flags, no decision-maker).
    /// </summary>
    public static StatutoryBasisView ForOutsideReporter(StatutoryBasis b, VocabularyCatalogue vocabulary) =>
        Of(b, new HashSet<string>(), vocabulary) with { DecisionMaker = null };

    /// <summary>A case as the API shows it: its purpose by the slug (stored and sent to the policy as the code).</summary>
    public static StatutoryBasisView Of(StatutoryBasis b, ISet<string> denied, VocabularyCatalogue vocabulary) => new(
        b.Id, b.Kind, b.SurvivorId, b.ReporterAgencyId, b.ReporterRole, b.ReportDate, b.CaseNumber, vocabulary.Slug(StatutoryBasis.Purpose),
        b.InvolvedAgencies.Select(a => new InvolvedAgencyView(a.AgencyId, a.Role, denied.Contains(a.AgencyId))).ToList(),
        b.DecisionMaker, b.IsOpen, b.OpenedAt, b.ClosedAt, b.CloseReason);
}

public sealed record InvolvedAgencyRequest(string? AgencyId, InvolvedRole? Role);

public sealed record FileReport(ReporterRole? ReporterRole, DateOnly? ReportDate, string? CaseNumber, List<InvolvedAgencyRequest>? InvolvedAgencies);

public sealed record CloseCase(string? Reason);

/// <summary>
/// Child-protection reports for minors. Advocates of the survivor's agency, or of an agency named in the
/// report, file them; advocates of the survivor's agency close them.
/// </summary>
public sealed partial class StatutoryBasisService(
    ConsentDb db, SurvivorAccess access, AgencyService agencies, DenyListService denyList, IOptions<StatutoryBasisOptions> options, VocabularyCatalogue vocabulary, TimeProvider time,
    ILogger<StatutoryBasisService> logger)
{
    public async Task<Outcome<List<StatutoryBasisView>>> ListAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken)
    {
        var read = await access.ReadAsync(caller, survivorId, cancellationToken);
        if (read.Problem is { } problem)
        {
            return problem;
        }

        var denied = await denyList.DeniedAgenciesAsync(survivorId, cancellationToken);
        var bases = await db.StatutoryBases.AsNoTracking().Where(b => b.SurvivorId == survivorId).ToListAsync(cancellationToken);
        return bases.OrderByDescending(b => b.OpenedAt).Select(b => StatutoryBasisView.Of(b, denied, vocabulary)).ToList();
    }

    public async Task<Outcome<StatutoryBasisView>> GetAsync(ApiCaller caller, string survivorId, string basisId, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, survivorId, basisId, forChange: false, cancellationToken);
        return found.Problem is { } problem
            ? problem
            : StatutoryBasisView.Of(found.Value!, await denyList.DeniedAgenciesAsync(survivorId, cancellationToken), vocabulary);
    }

    /// <summary>
    /// Files a report. Advocates of the survivor's own agency may file; so may advocates of an agency that already
    /// works with the survivor on the record (<see cref="WorksWithAsync"/>) and that the report names as involved
    /// — the child-protection worker or the mandated reporter at a clinic or police department. Who may file is
    /// decided before anything else is looked at: anyone else gets the answer a survivor who does not exist gets,
    /// whatever they send. The date of birth is checked only once the request is otherwise valid, and only over
    /// the short window a report date may lie in, so a reporter cannot bisect it.
    /// </summary>
    public async Task<Outcome<StatutoryBasisView>> FileAsync(ApiCaller caller, string survivorId, FileReport request, CancellationToken cancellationToken)
    {
        var change = await access.ChangeAsync(caller, survivorId, cancellationToken);
        var outsideReporter = false;
        if (change.Problem is { } denied)
        {
            var namesItself = caller.IsAdvocate && request.InvolvedAgencies?.Any(a => a.AgencyId == caller.AgencyId) == true;
            if (!namesItself || denied.Kind != ProblemCatalogue.SurvivorNotFound)
            {
                return denied;
            }

            var named = await db.Survivors.SingleOrDefaultAsync(s => s.Id == survivorId, cancellationToken);
            if (named is null || !await WorksWithAsync(caller.AgencyId!, named, cancellationToken))
            {
                return denied;
            }

            change = named;
            outsideReporter = true;
        }

        if (!caller.IsAdvocate)
        {
            return ProblemCatalogue.Forbidden;
        }

        var survivor = change.Value!;
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var oldest = today.AddDays(-options.Value.MaxReportAgeDays);
        var errors = new Dictionary<string, string[]>();
        if (request.ReportDate is not { } reportDate || reportDate > today || reportDate < oldest)
        {
            errors["reportDate"] = [$"The report date is required, cannot be in the future and cannot be more than {options.Value.MaxReportAgeDays} days ago."];
        }

        if (string.IsNullOrWhiteSpace(request.CaseNumber) || request.CaseNumber.Length > 64)
        {
            errors["caseNumber"] = ["A case number of 1 to 64 characters is required."];
        }

        if (request.InvolvedAgencies is not { Count: > 0 } || request.InvolvedAgencies.Any(a => string.IsNullOrWhiteSpace(a.AgencyId) || a.Role is null))
        {
            errors["involvedAgencies"] = ["Name each involved agency with its role."];
        }

        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        // Agencies before the survivor's age: an unknown agency says nothing about the survivor.
        var involvedIds = request.InvolvedAgencies!.Select(a => a.AgencyId!).ToList();
        if (!await agencies.AllActiveAsync(involvedIds, cancellationToken))
        {
            return ProblemCatalogue.UnknownAgency;
        }

        if (survivor.DateOfBirth is null)
        {
            return ProblemCatalogue.DateOfBirthRequired;
        }

        if (!survivor.IsMinorOn(request.ReportDate!.Value))
        {
            return ProblemCatalogue.NotAMinor;
        }

        var involved = request.InvolvedAgencies!.DistinctBy(a => (a.AgencyId, a.Role)).Select(a => new InvolvedAgency(a.AgencyId!, a.Role!.Value)).ToList();

        var now = time.GetUtcNow();
        var basis = new StatutoryBasis(Guid.CreateVersion7(now), survivorId, caller.AgencyId!, caller.Subject,
            request.ReporterRole ?? ReporterRole.Advocate, request.ReportDate.Value, request.CaseNumber!.Trim(), involved, survivor.DecisionMaker, now);
        db.StatutoryBases.Add(basis);
        await db.SaveChangesAsync(cancellationToken);
        LogFiled(logger, basis.Id, survivorId, caller.AgencyId!);
        return outsideReporter
            ? StatutoryBasisView.ForOutsideReporter(basis, vocabulary)
            : StatutoryBasisView.Of(basis, await denyList.DeniedAgenciesAsync(survivorId, cancellationToken), vocabulary);
    }

    public async Task<Outcome<StatutoryBasisView>> CloseAsync(ApiCaller caller, string survivorId, string basisId, CloseCase request, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, survivorId, basisId, forChange: true, cancellationToken);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        if (!caller.IsAdvocate)
        {
            return ProblemCatalogue.Forbidden;
        }

        var basis = found.Value!;
        if (!basis.IsOpen)
        {
            return ProblemCatalogue.StatutoryBasisClosed;
        }

        basis.Close(caller.Subject, time.GetUtcNow(), request.Reason?.Trim());
        await db.SaveChangesAsync(cancellationToken);
        LogClosed(logger, basis.Id, survivorId);
        return StatutoryBasisView.Of(basis, await denyList.DeniedAgenciesAsync(survivorId, cancellationToken), vocabulary);
    }

    /// <summary>
    /// Whether an agency already works with the survivor on the record: it decides for the minor (custodial
    /// agency), holds records it wrote about the survivor, receives a grant of the survivor's that is in force,
    /// or is involved in one of the survivor's open cases.
    /// </summary>
    private async Task<bool> WorksWithAsync(string agencyId, Survivor survivor, CancellationToken cancellationToken)
    {
        if (survivor.DecisionMaker?.AgencyId == agencyId)
        {
            return true;
        }

        if (await db.FhirRecords.AnyAsync(r => r.SurvivorId == survivor.Id && r.SourceAgencyId == agencyId, cancellationToken))
        {
            return true;
        }

        var now = time.GetUtcNow();
        var grants = await db.Consents.AsNoTracking().Where(c => c.SurvivorId == survivor.Id && c.RecipientAgencyId == agencyId).ToListAsync(cancellationToken);
        if (grants.Any(g => g.StatusAt(now) == Consents.ConsentStatus.Active))
        {
            return true;
        }

        var open = await db.StatutoryBases.AsNoTracking().Where(b => b.SurvivorId == survivor.Id && b.ClosedAt == null).ToListAsync(cancellationToken);
        return open.Any(b => b.InvolvedAgencies.Any(a => a.AgencyId == agencyId));
    }

    private async Task<Outcome<StatutoryBasis>> FindAsync(ApiCaller caller, string survivorId, string basisId, bool forChange, CancellationToken cancellationToken)
    {
        if (await access.RecordAccessAsync(caller, survivorId, forChange, ProblemCatalogue.StatutoryBasisNotFound, cancellationToken) is { } problem)
        {
            return problem;
        }

        var basis = Guid.TryParse(basisId, out var id)
            ? await db.StatutoryBases.SingleOrDefaultAsync(b => b.Id == id && b.SurvivorId == survivorId, cancellationToken)
            : null;
        return basis is null ? ProblemCatalogue.StatutoryBasisNotFound : basis;
    }

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "Child-protection basis {BasisId} filed for survivor {SurvivorId} by {AgencyId}")]
    private static partial void LogFiled(ILogger logger, Guid basisId, string survivorId, string agencyId);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Information, Message = "Child-protection basis {BasisId} of survivor {SurvivorId} closed")]
    private static partial void LogClosed(ILogger logger, Guid basisId, string survivorId);
}
