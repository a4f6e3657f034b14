using AgencyTypes = Consent.Policies.AgencyTypes;

namespace Consent.Identity.Seeding;

/// <summary>The demo agencies; Consent.Api's demo seed uses the same ids.</summary>
public static class DemoAgencies
{
    public static readonly IReadOnlyList<(string Id, string Name, string Type)> All =
    [
        ("harbor-house", "Harbor House Shelter", AgencyTypes.Shelter),
        ("bridge-legal", "Bridge Legal Aid", AgencyTypes.Legal),
        ("northside-clinic", "Northside Community Clinic", AgencyTypes.Medical),
        ("lighthouse-counseling", "Lighthouse Counseling", AgencyTypes.BehavioralHealth),
        ("metro-police", "Metro Police Department", AgencyTypes.LawEnforcement),
        ("dcf-region-4", "Child Protection, Region 4", AgencyTypes.ChildProtection),
    ];
}
