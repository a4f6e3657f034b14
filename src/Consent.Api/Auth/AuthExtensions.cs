using Microsoft.AspNetCore.Authorization;
using OpenIddict.Validation;
using OpenIddict.Validation.AspNetCore;

namespace Consent.Api.Auth;

/// <summary>
/// Access tokens are JWTs from the platform's identity provider: issuer, audience, lifetime and signature
/// are checked against the provider's discovery document and JWKS (fetched over HTTP, cached, refreshed on
/// unknown key ids). Every endpoint requires a valid token unless it says otherwise.
/// </summary>
public static class AuthExtensions
{
    public static WebApplicationBuilder AddTokenValidation(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenValidationOptions>().BindConfiguration(TokenValidationOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(TokenValidationOptions.Section).Get<TokenValidationOptions>()
            ?? new TokenValidationOptions();

        builder.Services.AddOpenIddict()
            .AddValidation(validation =>
            {
                validation.SetIssuer(options.Authority);
                validation.AddAudiences(options.Audience);
                validation.UseSystemNetHttp();
                validation.AddEventHandler(ProviderUnavailable<OpenIddictValidationEvents.ProcessChallengeContext>.Descriptor);
                validation.AddEventHandler(ProviderUnavailable<OpenIddictValidationEvents.ProcessErrorContext>.Descriptor);
                validation.AddEventHandler(NoQueryStringTokens.Descriptor);
                validation.UseAspNetCore();
            });
        builder.Services.Configure<OpenIddictValidationAspNetCoreOptions>(aspNetCore =>
        {
            // The Authorization header only.
            aspNetCore.DisableAccessTokenExtractionFromQueryString = true;
            aspNetCore.DisableAccessTokenExtractionFromBodyForm = true;
        });

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.Services.AddAuthorization(authorization =>
        {
            var tokenRequired = new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .Build();
            authorization.DefaultPolicy = tokenRequired;
            authorization.FallbackPolicy = tokenRequired;
        });
        return builder;
    }
}
