using Consent.Api.Demo;
using Consent.Api.DisclosureLog;
using Consent.Policies;

namespace Consent.Cli.Seed;

/// <summary>
/// Decisions on reads as the API records them, for synthetic survivors: the demo agencies' systems (sometimes one of
/// their staff) reading each other's records, with purposes from the vocabulary, mostly permitted on a grant and an MOU,
/// one in eleven denied, one in ninety-seven a break-glass read. Ids only, never a name or a record's contents.
/// </summary>
internal static class SyntheticDisclosures
{
    private static readonly string[] ResourceTypes = ["Observation", "Condition", "Patient", "EpisodeOfCare", "CarePlan", "DocumentReference"];

    private static readonly string[] Purposes =
    [
        PurposesOfUse.Treatment, PurposesOfUse.CoordinationOfCare, PurposesOfUse.CareManagement, PurposesOfUse.Legal,
        PurposesOfUse.SafetyPlanning, PurposesOfUse.Treatment, PurposesOfUse.EmergencyTreatment,
    ];

    /// <summary>The draft of the <paramref name="n"/>-th synthetic entry, about one of the first <paramref name="survivors"/> synthetic survivors.</summary>
    public static DisclosureDraft Draft(long n, long survivors)
    {
        var agency = DemoAgencies.All[(int)(n % DemoAgencies.All.Count)].Id;
        var survivor = SyntheticIds.Survivor(1 + (n * 7919 % survivors));
        var type = ResourceTypes[n % ResourceTypes.Length];
        var denied = n % 11 == 0;
        var breakGlass = !denied && n % 97 == 0;
        IReadOnlyList<string> resources = denied ? [] : Enumerable.Range(0, 1 + (int)(n % 3)).Select(_ => $"{type}/{Guid.CreateVersion7()}").ToArray();
        IReadOnlyList<DisclosureBasis> basis = denied ? []
            : breakGlass ? [DisclosureBasis.BreakGlass(Guid.CreateVersion7())]
            : [DisclosureBasis.Grant(Guid.CreateVersion7()), DisclosureBasis.Mou(Guid.CreateVersion7())];
        return new DisclosureDraft(agency, $"{agency}-system", n % 5 == 0 ? $"{SyntheticIds.UserPrefix}{n % 500:D3}" : null, survivor, type,
            resources, breakGlass ? PurposesOfUse.EmergencyTreatment : Purposes[n % Purposes.Length],
            denied ? DisclosureDecision.Deny : DisclosureDecision.Permit, basis, PolicyVersion.Current,
            Guid.CreateVersion7().ToString("n"), breakGlass);
    }
}

/// <summary>The ids the seed gives what it makes, recognisable at a glance as synthetic.</summary>
internal static class SyntheticIds
{
    public const string SurvivorPrefix = "sv-seed-";

    public const string UserPrefix = "user-seed-";

    /// <summary>Who recorded the synthetic grants and enrolled the synthetic survivors.</summary>
    public const string Recorder = "consent-seed";

    public static string Survivor(long index) => SurvivorPrefix + index.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
}
