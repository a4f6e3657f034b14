using System.Security.Claims;
using Consent.Portal.SignIn;

namespace Consent.Portal.Navigation;

/// <summary>A link of the main menu: where it goes and the key of its text in the shared strings.</summary>
public sealed record NavigationLink(string Path, string TextKey);

/// <summary>
/// Each role's start page and menu. A person with several roles gets the menus of all of them, in this order; the
/// start page is that of their first role here.
/// </summary>
public static class PortalNavigation
{
    private static readonly (string Role, NavigationLink[] Links)[] Menus =
    [
        (PortalRoles.Survivor,
        [
            new("/my", "Nav_MySharing"),
            new("/my/share", "Nav_Share"),
            new("/my/requests", "Nav_Requests"),
            new("/my/seen", "Nav_WhoSaw"),
            new("/my/never", "Nav_NeverShare"),
        ]),
        (PortalRoles.Advocate,
        [
            new("/advocate", "Nav_Survivors"),
            new("/advocate/enroll", "Nav_Enroll"),
        ]),
        (PortalRoles.Compliance,
        [
            new("/compliance", "Nav_ComplianceOverview"),
            new("/compliance/log", "Nav_LogSearch"),
            new("/compliance/integrity", "Nav_LogIntegrity"),
            new("/compliance/break-glass", "Nav_BreakGlass"),
            new("/compliance/charts", "Nav_Charts"),
            new("/compliance/exports", "Nav_Exports"),
        ]),
        (PortalRoles.AgencyAdmin,
        [
            new("/agency/mous", "Nav_Mous"),
            new("/agency/clients", "Nav_Clients"),
        ]),
        (PortalRoles.PlatformAdmin,
        [
            new("/agency/mous", "Nav_Mous"),
            new("/agency/clients", "Nav_Clients"),
        ]),
    ];

    /// <summary>The menu of the signed-in person (empty when nobody is signed in).</summary>
    public static IReadOnlyList<NavigationLink> For(ClaimsPrincipal user) =>
        [.. Menus.Where(menu => user.IsInRole(menu.Role)).SelectMany(menu => menu.Links).DistinctBy(link => link.Path)];

    /// <summary>Where a signed-in person starts; null for someone with no role the portal serves.</summary>
    public static string? StartPage(ClaimsPrincipal user) =>
        Menus.FirstOrDefault(menu => user.IsInRole(menu.Role)).Links?.FirstOrDefault()?.Path;
}
