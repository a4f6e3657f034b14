using Consent.Identity.Localization;
using Consent.Identity.Users;
using Consent.ServiceDefaults.Safety;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Consent.Identity.Security;

/// <summary>
/// <c>GET /account/exit</c>, the target of the quick exit link on every identity page: ends the provider's
/// sign-in session (and a half-finished one waiting for its second factor), forgets the language choice, and
/// sends the browser to a neutral site. It is a plain GET so the link works without JavaScript and with one
/// key press. A forged request (another site linking here) can do no more than sign the person out, which is
/// harmless, so it takes no antiforgery token.
/// </summary>
internal static partial class QuickExit
{
    public const string Path = "/account/exit";

    public static WebApplicationBuilder AddQuickExit(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SafetyOptions>()
            .BindConfiguration(SafetyOptions.Section)
            .Validate(options => SafePages.IsQuickExitAddress(options.QuickExitUrl), SafePages.QuickExitAddressRequired)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapQuickExit(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, LeaveAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> LeaveAsync(
        HttpContext http,
        UserManager<PlatformUser> users,
        IOptions<SafetyOptions> safety,
        ILoggerFactory loggers)
    {
        var cookie = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (cookie.Succeeded && await users.GetUserAsync(cookie.Principal!) is { } user)
        {
            // As at sign-out: a copy of the session cookie taken before the exit stops working too.
            await users.UpdateSecurityStampAsync(user);
        }

        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        await http.SignOutAsync(IdentityConstants.ExternalScheme);
        await http.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
        http.Response.Cookies.Delete(IdentityLocalization.CookieName);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        // No user id: that someone left in a hurry is itself something to keep out of the logs.
        LogQuickExit(loggers.CreateLogger(typeof(QuickExit)));
        return Results.Redirect(safety.Value.QuickExitUrl.AbsoluteUri);
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Quick exit ended a sign-in session")]
    private static partial void LogQuickExit(ILogger logger);
}
