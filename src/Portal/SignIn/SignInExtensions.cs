using System.Security.Cryptography;
using Consent.ServiceDefaults;
using Consent.ServiceDefaults.KeyRing;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Client;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Portal.SignIn;

internal static class SignInExtensions
{
    /// <summary>
    /// Cookie session for the signed-in person, OpenID Connect code flow with PKCE against the platform's
    /// provider (OpenIddict client), and data protection keys that survive restarts (shared by the instances on PostgreSQL).
    /// </summary>
    public static WebApplicationBuilder AddPortalSignIn(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(OidcOptions.Section);
        builder.Services.AddOptions<OidcOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var oidc = section.Get<OidcOptions>() ?? new OidcOptions();

        // Files under the data directory on SQLite; on PostgreSQL the key ring every instance shares (ConnectionStrings:Portal).
        builder.AddKeyRing("consent-portal", "Portal", "data-protection-portal");

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

            // The portal stores no tokens (on PostgreSQL its database holds its keys only): state tokens are self-contained (encrypted, bound to the browser by
            // OpenIddict's request forgery cookie) instead of stored.
            options.DisableTokenStorage();

            // The client signs and encrypts only its own short-lived state tokens: on SQLite (one instance) keys that
            // live as long as the process are enough (a sign-in in flight during a restart simply starts again); on
            // PostgreSQL the instances share theirs, so a sign-in started at one instance completes at another.
            if (builder.StorageProvider() != StorageProvider.Postgres)
            {
                options.AddEphemeralEncryptionKey()
                       .AddEphemeralSigningKey();
            }

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

        if (builder.StorageProvider() == StorageProvider.Postgres)
        {
            builder.Services.AddOptions<OpenIddictClientOptions>().Configure<SharedKeys>(AddSharedStateTokenKeys);
        }

        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<UserTokens>();
        return builder;
    }

    /// <summary>
    /// The state token keys the portal's instances share, as OpenIddict's ephemeral keys would be made (RS256; RSA-OAEP
    /// with A256CBC-HS512). State tokens live minutes, so a key is replaced monthly and dropped a day later.
    /// </summary>
    private static void AddSharedStateTokenKeys(OpenIddictClientOptions options, SharedKeys keys)
    {
        static RsaSecurityKey Key(string pem)
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }

        var (rotateAfter, retireAfter) = (TimeSpan.FromDays(30), TimeSpan.FromDays(31));
        options.SigningCredentials.AddRange(keys.LoadOrCreate("client-signing", rotateAfter, retireAfter)
            .Select(pem => new SigningCredentials(Key(pem), SecurityAlgorithms.RsaSha256)));
        options.EncryptionCredentials.AddRange(keys.LoadOrCreate("client-encryption", rotateAfter, retireAfter)
            .Select(pem => new EncryptingCredentials(Key(pem), SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512)));
    }

    internal static OidcOptions Oidc(this IServiceProvider services) => services.GetRequiredService<IOptions<OidcOptions>>().Value;
}
