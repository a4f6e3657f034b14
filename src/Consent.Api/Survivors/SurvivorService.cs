using System.Security.Cryptography;
using Consent.Api.Caller;
using Consent.Api.Consents;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.Survivors;

public sealed record SurvivorView(
    string Id, string EnrollingAgencyId, string PreferredLanguage, DateOnly? DateOfBirth, bool Minor,
    string? LeadCaseManager, DecisionMaker? DecisionMaker, DateTimeOffset EnrolledAt)
{
    public static SurvivorView Of(Survivor s, DateOnly today) =>
        new(s.Id, s.EnrollingAgencyId, s.PreferredLanguage, s.DateOfBirth, s.IsMinorOn(today), s.LeadCaseManager, s.DecisionMaker, s.EnrolledAt);
}

public sealed record EnrollSurvivor(string? PreferredLanguage, DateOnly? DateOfBirth, string? LeadCaseManager, DecisionMaker? DecisionMaker);

public sealed record UpdateSurvivor(string? PreferredLanguage, DateOnly? DateOfBirth, string? LeadCaseManager);

/// <summary>Enrolment and the survivor record. Advocates enrol at their own agency.</summary>
public sealed partial class SurvivorService(
    ConsentDb db, SurvivorAccess access, IOptions<ConsentOptions> options, TimeProvider time, ILogger<SurvivorService> logger)
{
    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<Outcome<List<SurvivorView>>> ListAsync(ApiCaller caller, CancellationToken cancellationToken)
    {
        IQueryable<Survivor> query = db.Survivors.AsNoTracking();
        if (caller.IsSurvivor)
        {
            query = query.Where(s => s.Id == caller.SurvivorId);
        }
        else if (caller.IsAdvocate)
        {
            var hidden = access.HiddenFrom(caller);
            query = query.Where(s => s.EnrollingAgencyId == caller.AgencyId && !hidden.Contains(s.Id));
        }
        else if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var today = Today;
        return (await query.OrderBy(s => s.Id).ToListAsync(cancellationToken)).Select(s => SurvivorView.Of(s, today)).ToList();
    }

    public async Task<Outcome<SurvivorView>> GetAsync(ApiCaller caller, string survivorId, CancellationToken cancellationToken)
    {
        var read = await access.ReadAsync(caller, survivorId, cancellationToken);
        return read.Problem is { } problem ? problem : SurvivorView.Of(read.Value!, Today);
    }

    public async Task<Outcome<SurvivorView>> EnrollAsync(ApiCaller caller, EnrollSurvivor request, CancellationToken cancellationToken)
    {
        if (!caller.IsAdvocate)
        {
            return caller.IsCompliance ? ProblemCatalogue.ReadOnly : ProblemCatalogue.Forbidden;
        }

        var language = request.PreferredLanguage ?? options.Value.Languages[0];
        if (Validate(language, request.DateOfBirth) is { } problem)
        {
            return problem;
        }

        if (request.DecisionMaker is { } maker && ValidateDecisionMaker(maker) is { } makerProblem)
        {
            return makerProblem;
        }

        var survivor = new Survivor(NewId(), caller.AgencyId!, language, request.DateOfBirth, request.LeadCaseManager ?? caller.Subject,
            caller.Subject, time.GetUtcNow());
        survivor.SetDecisionMaker(request.DecisionMaker);
        db.Survivors.Add(survivor);
        await db.SaveChangesAsync(cancellationToken);
        LogEnrolled(logger, survivor.Id, survivor.EnrollingAgencyId);
        return SurvivorView.Of(survivor, Today);
    }

    public async Task<Outcome<SurvivorView>> UpdateAsync(ApiCaller caller, string survivorId, UpdateSurvivor request, CancellationToken cancellationToken)
    {
        var change = await access.ChangeAsync(caller, survivorId, cancellationToken);
        if (change.Problem is { } denied)
        {
            return denied;
        }

        var survivor = change.Value!;
        var language = request.PreferredLanguage ?? survivor.PreferredLanguage;
        if (Validate(language, request.DateOfBirth) is { } problem)
        {
            return problem;
        }

        // Only staff may change the facts the minor rules rest on.
        var dateOfBirth = caller.IsAdvocate ? request.DateOfBirth ?? survivor.DateOfBirth : survivor.DateOfBirth;
        var lead = caller.IsAdvocate ? request.LeadCaseManager ?? survivor.LeadCaseManager : survivor.LeadCaseManager;
        survivor.Update(language, dateOfBirth, lead);
        await db.SaveChangesAsync(cancellationToken);
        LogUpdated(logger, survivor.Id);
        return SurvivorView.Of(survivor, Today);
    }

    public async Task<Outcome<SurvivorView>> SetDecisionMakerAsync(ApiCaller caller, string survivorId, DecisionMaker? request, CancellationToken cancellationToken)
    {
        var change = await access.ChangeAsync(caller, survivorId, cancellationToken);
        if (change.Problem is { } denied)
        {
            return denied;
        }

        if (!caller.IsAdvocate)
        {
            return ProblemCatalogue.Forbidden;
        }

        if (request is null)
        {
            return ProblemCatalogue.Invalid("kind", "A decision-maker is required.");
        }

        if (ValidateDecisionMaker(request) is { } problem)
        {
            return problem;
        }

        var survivor = change.Value!;
        survivor.SetDecisionMaker(request);
        await db.SaveChangesAsync(cancellationToken);
        LogDecisionMakerSet(logger, survivor.Id, request.Kind);
        return SurvivorView.Of(survivor, Today);
    }

    private Problem? Validate(string language, DateOnly? dateOfBirth)
    {
        if (!options.Value.Languages.Contains(language))
        {
            return new Problem(ProblemCatalogue.UnsupportedLanguage, "Supported: " + string.Join(", ", options.Value.Languages));
        }

        return dateOfBirth is { } born && (born > Today || born < Today.AddYears(-120))
            ? ProblemCatalogue.Invalid("dateOfBirth", "The date of birth must be in the past.")
            : null;
    }

    private static Problem? ValidateDecisionMaker(DecisionMaker maker)
    {
        if (!Enum.IsDefined(maker.Kind))
        {
            return ProblemCatalogue.Invalid("kind", "guardian, custodial-agency or court.");
        }

        if (string.IsNullOrWhiteSpace(maker.Reference) || string.IsNullOrWhiteSpace(maker.EstablishedBy))
        {
            return ProblemCatalogue.Invalid("establishedBy", "Say who decides (a handle, not a name) and how that was established.");
        }

        return maker.Kind == DecisionMakerKind.CustodialAgency && string.IsNullOrWhiteSpace(maker.AgencyId)
            ? ProblemCatalogue.Invalid("agencyId", "A custodial agency decision-maker names the agency.")
            : null;
    }

    /// <summary>A pseudonymous id with no meaning: nothing about the person can be read from it.</summary>
    private static string NewId() => "sv-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Survivor {SurvivorId} enrolled at {AgencyId}")]
    private static partial void LogEnrolled(ILogger logger, string survivorId, string agencyId);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Survivor {SurvivorId} updated")]
    private static partial void LogUpdated(ILogger logger, string survivorId);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Decision-maker of survivor {SurvivorId} set ({Kind})")]
    private static partial void LogDecisionMakerSet(ILogger logger, string survivorId, DecisionMakerKind kind);
}
