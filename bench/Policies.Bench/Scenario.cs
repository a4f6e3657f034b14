namespace Consent.Policies.Bench;

/// <summary>
/// The decisions measured: a clinic reads an Observation the shelter wrote, for treatment. The survivor
/// has 10 grants and the agencies 5 MOUs; the covering grant and MOU come last, so every fact is looked at.
/// </summary>
public static class Scenario
{
    public const string Shelter = "ag-harbor-shelter";
    public const string Clinic = "ag-eastside-clinic";
    public static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] OtherAgencies = ["ag-legal-aid", "ag-metro-police", "ag-dcf-region-2", "ag-bridge-counseling", "ag-northside-shelter"];
    private static readonly string[] Categories = ["contact", "health"];
    private static readonly string[] Purposes = ["TREAT", "CAREMGT"];
    private static readonly string[] MouPurposes = ["TREAT", "ETREAT", "CAREMGT", "COC"];
    private static readonly string[] MouCategories = ["contact", "case-management", "health", "documents"];
    private static readonly string[] SourceShelter = [Shelter];

    public static readonly IReadOnlyList<Mou> Mous = BuildMous();

    /// <summary>Ten grants of one survivor: nine to other agencies, the last to the clinic.</summary>
    public static ConsentGrant[] Grants(string survivorId)
    {
        var grants = new ConsentGrant[10];
        for (var i = 0; i < 9; i++)
        {
            grants[i] = Grant(survivorId, i, OtherAgencies[i % OtherAgencies.Length]);
        }

        grants[9] = Grant(survivorId, 9, Clinic);
        return grants;
    }

    public static ConsentGrant Grant(string survivorId, int index, string recipient) => new()
    {
        Id = $"g-{survivorId}-{index}",
        SurvivorId = survivorId,
        RecipientAgencyId = recipient,
        SourceAgencyIds = SourceShelter,
        Categories = Categories,
        Purposes = Purposes,
        Start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero),
        End = new DateTimeOffset(2025, 9, 1, 0, 0, 0, TimeSpan.Zero),
        Status = GrantStatuses.Active,
    };

    public static PolicyInput Input(string survivorId, IReadOnlyList<ConsentGrant> grants, IReadOnlyList<string>? labels = null) => new()
    {
        Time = Now,
        Requester = new Requester { AgencyId = Clinic, AgencyType = AgencyTypes.Medical, ClientId = "cl-clinic-ehr", UserId = "u-dr-park" },
        Request = new PolicyRequest
        {
            SurvivorId = survivorId,
            ResourceType = "Observation",
            Category = "health",
            Labels = labels ?? [],
            SourceAgencyId = Shelter,
            PurposeOfUse = PurposesOfUse.Treatment,
        },
        Facts = new PolicyFacts
        {
            Survivor = new SurvivorFacts { Id = survivorId, DateOfBirth = new DateOnly(1995, 4, 2) },
            Grants = grants,
            Mous = Mous,
        },
    };

    public static string SurvivorId(int n) => $"sv-{n:D7}";

    private static Mou[] BuildMous()
    {
        var mous = new Mou[5];
        for (var i = 0; i < 4; i++)
        {
            mous[i] = Mou($"mou-{i}", Shelter, OtherAgencies[i]);
        }

        mous[4] = Mou("mou-shelter-clinic", Shelter, Clinic);
        return mous;
    }

    private static Mou Mou(string id, string a, string b) => new()
    {
        Id = id,
        Status = MouStatuses.Active,
        Parties =
        [
            new MouParty { AgencyId = a, SignedAt = new DateTimeOffset(2024, 12, 20, 0, 0, 0, TimeSpan.Zero) },
            new MouParty { AgencyId = b, SignedAt = new DateTimeOffset(2024, 12, 22, 0, 0, 0, TimeSpan.Zero) },
        ],
        Purposes = MouPurposes,
        Categories = MouCategories,
        Effective = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
        Expires = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        AllowsEmergencyAccess = true,
    };
}
