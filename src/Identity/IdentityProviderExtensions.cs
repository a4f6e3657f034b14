using Consent.Identity.Agencies;
using Consent.Identity.Clients;
using Consent.Identity.Connect;
using Consent.Identity.Data;
using Consent.Identity.Keys;
using Consent.Identity.Security;
using Consent.Identity.Seeding;
using Consent.Identity.Users;
using Consent.ServiceDefaults;
using Consent.ServiceDefaults.KeyRing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity;

/// <summary>Registration of the identity provider's parts; Program.cs lists them in order.</summary>
public static class IdentityProviderExtensions
{
    /// <summary>The connection string naming the identity database (a SQLite file by default).</summary>
    public const string ConnectionName = "Identity";

    public static WebApplicationBuilder AddUserStore(this WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(ConnectionName);
        if (builder.StorageProvider() == StorageProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException($"Storage:Provider is Postgres: set ConnectionStrings:{ConnectionName} to the PostgreSQL database.");
            }

            builder.Services.AddDbContext<IdentityDb, PostgresIdentityDb>(options => options.UseNpgsql(configured).UseOpenIddict());
        }
        else
        {
            var connectionString = configured ?? $"Data Source={Path.Combine(builder.DataDirectory(), "identity.db")}";
            builder.Services.AddDbContext<IdentityDb>(options => options.UseSqlite(connectionString).UseOpenIddict());
        }

        builder.Services.AddHealthChecks().AddDbContextCheck<IdentityDb>("identity-db");

        builder.Services.AddIdentity<PlatformUser, IdentityRole>(options =>
            {
                options.Password.RequiredLength = 12;
                options.Password.RequireDigit = true;
                options.Password.RequireLowercase = true;
                options.Password.RequireUppercase = true;
                options.Password.RequireNonAlphanumeric = true;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.User.RequireUniqueEmail = false;
                options.SignIn.RequireConfirmedAccount = false;
                options.ClaimsIdentity.UserNameClaimType = Claims.Name;
                options.ClaimsIdentity.UserIdClaimType = Claims.Subject;
                options.ClaimsIdentity.RoleClaimType = Claims.Role;
            })
            .AddEntityFrameworkStores<IdentityDb>()
            .AddUserStore<ProtectedUserStore>()
            .AddSignInManager<PlatformSignInManager>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<SingleUseAuthenticatorCodes>(TokenOptions.DefaultAuthenticatorProvider);
        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.LogoutPath = "/connect/logout";
            options.AccessDeniedPath = "/account/login";
            options.Cookie.Name = "consent.identity";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
        });
        // The cookie is checked against the user's security stamp on every request, not every 30 minutes:
        // logout renews the stamp, and a copied cookie must stop working at once.
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.Zero);
        // On SQLite the keys stay in the data directory, apart from the database: keys beside the ciphertext they protect
        // (authenticator secrets, cookies) would make a copied database readable. On PostgreSQL the instances share one
        // key ring in the database, each key sealed with a key-encryption key the database does not hold.
        builder.AddKeyRing("consent-identity", ConnectionName, "data-protection-identity");
        builder.Services.AddSingleton<AuthenticatorKeyProtector>();
        builder.Services.AddScoped<AgencySuspensions>();
        builder.Services.AddScoped<DecoyPasswordCheck>();
        builder.Services.AddSingleton<AccountAttemptLimiter>();
        builder.Services.TryAddTimeProvider();
        return builder;
    }

    public static WebApplicationBuilder AddOpenIdProvider(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProviderOptions>().BindConfiguration(ProviderOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KeyStoreOptions>().BindConfiguration(KeyStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ClientAssertionOptions>().BindConfiguration(ClientAssertionOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var provider = builder.Configuration.GetSection(ProviderOptions.Section).Get<ProviderOptions>() ?? new ProviderOptions();
        var keyOptions = builder.Configuration.GetSection(KeyStoreOptions.Section).Get<KeyStoreOptions>() ?? new KeyStoreOptions();
        var shareKeys = builder.StorageProvider() == StorageProvider.Postgres;
        if (shareKeys)
        {
            builder.Services.AddOptions<OpenIddictServerOptions>().Configure<SharedKeys>((options, keys) => ProviderKeys.AddShared(options, keys, keyOptions));
            builder.Services.AddHostedService<ProviderKeysRefresh>();
        }

        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdentityDb>())
            .AddServer(server =>
            {
                server.SetIssuer(provider.Issuer)
                    .SetAuthorizationEndpointUris(ConnectPaths.Authorize)
                    .SetTokenEndpointUris(ConnectPaths.Token)
                    .SetEndSessionEndpointUris(ConnectPaths.EndSession)
                    .SetUserInfoEndpointUris(ConnectPaths.UserInfo)
                    .SetIntrospectionEndpointUris(ConnectPaths.Introspect)
                    .SetRevocationEndpointUris(ConnectPaths.Revoke);

                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow();

                // S256 only: "plain" PKCE offers no protection against an intercepted code.
                server.Configure(options =>
                {
                    options.CodeChallengeMethods.Clear();
                    options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                });

                server.RegisterScopes([Scopes.OpenId, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess,
                    PlatformScopes.ConsentApi, PlatformScopes.ManageClients, .. PlatformScopes.Smart]);
                server.RegisterClaims([PlatformClaims.AgencyId, PlatformClaims.SurvivorId, PlatformClaims.ClientKind, PlatformClaims.PurposeOfUse, Claims.Role]);

                server.SetAccessTokenLifetime(provider.AccessTokenLifetime)
                    .SetRefreshTokenLifetime(provider.RefreshTokenLifetime)
                    .SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2))
                    // Rotation without grace: a refresh token presented twice is refused (and its chain revoked).
                    .SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                // Resource servers validate JWT access tokens with the published JWKS; encryption would force introspection.
                server.DisableAccessTokenEncryption();
                // On SQLite, PEM files under the data directory; on PostgreSQL, the keys every instance shares (ProviderKeys).
                if (!shareKeys)
                {
                    var keyStore = new KeyStore(Path.Combine(builder.DataDirectory(), keyOptions.Directory), keyOptions, TimeProvider.System);
                    server.AddSigningKeys([.. keyStore.LoadOrCreate(KeyStore.Signing)]);
                    server.AddEncryptionKeys([.. keyStore.LoadOrCreate(KeyStore.Encryption)]);
                }

                server.AddEventHandler(AcceptStandardClientAssertions.Descriptor);
                server.AddEventHandler(DiscoveryMetadata.Descriptor);
                server.AddEventHandler(SmartClientAssertionRules.Descriptor);
                server.RemoveEventHandler(OpenIddict.Server.OpenIddictServerHandlers.Exchange.ValidateScopePermissions.Descriptor);
                server.AddEventHandler(RejectScopesBeyondRegistration.Descriptor);
                server.AddEventHandler(PkceParameterSyntax.AuthorizationDescriptor);
                server.AddEventHandler(PkceParameterSyntax.TokenDescriptor);
                server.AddEventHandler(RefuseSuspendedAgencyClients.Descriptor);

                var aspNetCore = server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough();
                if (!provider.RequireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                // The admin API also takes a platform admin's token for the consent API, which the API forwards
                // when an admin deactivates an agency; ClientsApi's policy decides what each audience may do.
                validation.AddAudiences(PlatformScopes.IdentityAdmin, PlatformScopes.ConsentApi);
                validation.UseAspNetCore();
            });

        builder.Services.AddScoped<PlatformBootstrap>();
        builder.Services.AddScoped<DemoSeeder>();
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        builder.Services.AddClientRegistration();
        builder.Services.AddSignInRateLimits();
        builder.Services.AddRazorPages();
        return builder;
    }

    /// <summary>Migrates, bootstraps the platform clients and, when asked, seeds demo data.</summary>
    public static async Task InitializeAsync(this WebApplication app)
    {
        await app.Services.MigrateKeyRingAsync();
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PlatformBootstrap>().RunAsync(CancellationToken.None);
        if (scope.ServiceProvider.GetRequiredService<IOptions<DemoOptions>>().Value.Seed)
        {
            var storage = app.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>()
                .RunAsync(storage.Resolve(app.Environment.ContentRootPath), CancellationToken.None);
        }
    }

    private static void TryAddTimeProvider(this IServiceCollection services) =>
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton(services, TimeProvider.System);
}
