using System.Globalization;

namespace Consent.Log.Testing;

/// <summary>Entries shaped like the API's: agencies and their systems, sv-nnnnnn survivors, GUID bases, request ids.</summary>
public static class SampleEntries
{
    private static readonly string[] Agencies = ["northside-clinic", "harbor-house", "eastside-legal-aid", "county-child-services"];
    private static readonly string[] Types = ["Observation", "Condition", "Patient", "DocumentReference", "Encounter"];
    private static readonly string[] Purposes = ["TREAT", "ETREAT", "HPAYMT", "child-protection"];
    private static readonly string[] Kinds = ["ConsentGrant", "Mou", "StatutoryBasis", "BreakGlass"];

    /// <summary>The <paramref name="index"/>-th sample entry (0-based), the same for the same index and seed.</summary>
    public static LogRow Make(long index, int seed = 7, bool unusualText = false)
    {
        var random = new Random(unchecked((int)(index * 7919 + seed)));
        var agency = Agencies[random.Next(Agencies.Length)];
        var deny = random.Next(10) == 0;
        var resourceIds = deny
            ? Array.Empty<string>()
            : Enumerable.Range(0, 1 + random.Next(5)).Select(_ => Guid(random).ToString("D")).ToArray();
        if (unusualText && !deny && index % 3 == 0)
        {
            // Text the JSON writer escapes: non-ASCII, quotes, HTML-sensitive characters.
            resourceIds[0] = "obs-ü-\"quoted\"-<b>&'+" + index.ToString(CultureInfo.InvariantCulture);
        }

        var basis = Enumerable.Range(0, deny ? 0 : 1 + random.Next(3))
            .Select(_ => $"{Kinds[random.Next(Kinds.Length)]}:{Guid(random):D}")
            .Order(StringComparer.Ordinal).ToArray();
        return new LogRow(
            RecordedAt: 1_767_225_600_000 + index * 37,
            RecipientAgencyId: agency,
            ClientId: agency + "-ehr",
            UserId: random.Next(4) == 0 ? null : $"user-{random.Next(1000):D4}",
            SurvivorId: $"sv-{100000 + random.Next(900000)}",
            ResourceType: Types[random.Next(Types.Length)],
            ResourceIds: resourceIds,
            PurposeOfUse: Purposes[random.Next(Purposes.Length)],
            Decision: deny ? "Deny" : "Permit",
            Basis: basis,
            PolicyVersion: "0.1.0",
            RequestId: $"0HN{random.Next():X8}:{random.Next(100000):D8}",
            BreakGlass: basis.Any(b => b.StartsWith("BreakGlass:", StringComparison.Ordinal)));
    }

    private static Guid Guid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
