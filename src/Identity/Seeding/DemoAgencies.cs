namespace Consent.Identity.Seeding;

/// <summary>The demo agencies; Consent.Api's demo seed uses the same ids.</summary>
public static class DemoAgencies
{
    public static readonly IReadOnlyList<(string Id, string Name, string Type)> All =
    [
        ("harbor-house", "Harbor House Shelter", "shelter"),
        ("bridge-legal", "Bridge Legal Aid", "legal"),
        ("northside-clinic", "Northside Community Clinic", "medical"),
        ("lighthouse-counseling", "Lighthouse Counseling", "behavioral-health"),
        ("metro-police", "Metro Police Department", "law-enforcement"),
        ("dcf-region-4", "Child Protection, Region 4", "child-protection"),
    ];
}
