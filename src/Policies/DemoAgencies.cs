namespace Consent.Policies;

/// <summary>
/// The demo's agencies, written once for both demo seeds: Consent.Api's creates them in its directory (with their
/// grants, MOUs and records), the identity provider's registers each one's case system and staff. Their types are the
/// vocabulary's (<see cref="AgencyTypes"/>).
/// </summary>
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
