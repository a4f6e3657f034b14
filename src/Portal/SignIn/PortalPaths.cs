namespace Consent.Portal.SignIn;

/// <summary>
/// The portal's sign-in routes. The two callbacks are registered at the provider exactly as written here
/// (relative to the portal's base URL).
/// </summary>
public static class PortalPaths
{
    public const string SignIn = "/signin";
    public const string SignOut = "/signout";
    public const string LoginCallback = "callback/login/local";
    public const string LogoutCallback = "callback/logout/local";
}
