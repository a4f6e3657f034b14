using Consent.ServiceDefaults.Safety;

namespace Consent.Identity.Security;

/// <summary>
/// The provider's safety headers (<see cref="SafePages.UseSafetyHeaders"/>) with its own Content-Security-Policy. The
/// policy has no <c>form-action</c>: the sign-in form's redirect chain ends at the client's registered redirect URI, on
/// another origin, and browsers apply <c>form-action</c> to the redirects that follow a form post.
/// </summary>
internal static class SafetyHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; " +
        "base-uri 'none'; frame-ancestors 'none'";

    public static WebApplication UseSafetyHeaders(this WebApplication app) => app.UseSafetyHeaders(ContentSecurityPolicy);
}
