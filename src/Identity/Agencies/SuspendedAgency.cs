namespace Consent.Identity.Agencies;

/// <summary>
/// An agency a platform admin has deactivated. While the row exists, the agency's systems get no tokens and
/// its staff cannot sign in or refresh; reactivating the agency removes it.
/// </summary>
public sealed class SuspendedAgency
{
    private SuspendedAgency() { AgencyId = SuspendedBy = ""; }

    public SuspendedAgency(string agencyId, string suspendedBy, DateTimeOffset suspendedAt)
    {
        AgencyId = agencyId;
        SuspendedBy = suspendedBy;
        SuspendedAtUnix = suspendedAt.ToUnixTimeSeconds();
    }

    public string AgencyId { get; private set; }

    /// <summary>The subject (user id or client id) of the admin who suspended it.</summary>
    public string SuspendedBy { get; private set; }

    /// <summary>Unix seconds (SQLite cannot compare DateTimeOffset values).</summary>
    public long SuspendedAtUnix { get; private set; }
}
