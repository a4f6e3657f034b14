using Consent.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Portal.SignIn;

internal static class SignInExtensions
{
    /// <summary>
    /// Cookie session for the signed-in person, OpenID Connect code flow with PKCE against the platform's
    /// provider (OpenIddict client), and data protection keys that survive restarts.
    /// </summary>
    public static WebApplicationBuilder AddPortalSignIn(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(OidcOptions.Section);
        builder.Services.AddOptions<OidcOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var oidc = section.Get<OidcOptions>() ?? new OidcOptions();

        builder.Services.AddDataProtection()
            .SetApplicationName("consent-portal")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(builder.DataDirectory(), "keys", "data-protection-portal")));

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "portal.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = oidc.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                options.LoginPath = PortalPaths.SignIn;
                options.ExpireTimeSpan = oidc.IdleTimeout;
                options.SlidingExpiration = true;

                // A signed-in person on a page their role does not open gets the portal's own 403 page (in their
                // language, with the quick exit), not a redirect to a page that does not exist.
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.Survivor, policy => policy.RequireAuthenticatedUser().RequireRole(PortalRoles.Survivor))
            .AddPolicy(PortalPolicies.Advocate, policy => policy.RequireAuthenticatedUser().RequireRole(PortalRoles.Advocate))
            .AddPolicy(PortalPolicies.Compliance, policy => policy.RequireAuthenticatedUser().RequireRole(PortalRoles.Compliance))
            .AddPolicy(PortalPolicies.AgencyAdmin, policy => policy.RequireAuthenticatedUser().RequireRole(PortalRoles.AgencyAdmin, PortalRoles.PlatformAdmin));

        builder.Services.AddOpenIddict().AddClient(options =>
        {
            options.AllowAuthorizationCodeFlow()
                   .AllowRefreshTokenFlow();

            // The portal has no database: state tokens are self-contained (encrypted, bound to the browser by
            // OpenIddict's request forgery cookie) instead of stored.
            options.DisableTokenStorage();

            // The client signs and encrypts only its own short-lived state tokens: keys that live as long as
            // the process are enough (a sign-in in flight during a restart simply starts again).
            options.AddEphemeralEncryptionKey()
                   .AddEphemeralSigningKey();

            var aspNetCore = options.UseAspNetCore()
                .EnableRedirectionEndpointPassthrough()
                .EnablePostLogoutRedirectionEndpointPassthrough()
                .EnableStatusCodePagesIntegration();
            if (!oidc.RequireHttps)
            {
                aspNetCore.DisableTransportSecurityRequirement();
            }

            options.UseSystemNetHttp()
                   .SetProductInformation(typeof(SignInExtensions).Assembly);

            options.AddRegistration(new()
            {
                Issuer = oidc.Authority,
                ClientId = oidc.ClientId,
                RedirectUri = new Uri(PortalPaths.LoginCallback, UriKind.Relative),
                PostLogoutRedirectUri = new Uri(PortalPaths.LogoutCallback, UriKind.Relative),
                Scopes = { Scopes.OpenId, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess, "consent-api" },
            });
        });

        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<UserTokens>();
        return builder;
    }

    internal static OidcOptions Oidc(this IServiceProvider services) => services.GetRequiredService<IOptions<OidcOptions>>().Value;
}
