using System.Security.Claims;
using Consent.Api.Agencies;
using Consent.Api.Problems;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Api.Auth;

/// <summary>Marks an endpoint that skips <see cref="LiveCallers"/> (only the benchmark's baseline does).</summary>
public sealed class SkipLiveCallerCheck;

/// <summary>
/// After a token has passed local validation (signature, issuer, audience, lifetime) and before any endpoint runs:
/// the token must still be active at the provider (not revoked: see <see cref="TokenRevocation"/>), and the agency it
/// acts for, if any, must still be active. A revoked token answers 401 like an expired one; a deactivated agency's
/// callers (its systems and its staff alike) get 403 for every request, reads, writes, consent requests and
/// break-glass declarations; when the provider cannot be asked, 503 and nothing is let through.
/// </summary>
public static class LiveCallers
{
    public static WebApplicationBuilder AddLiveCallers(this WebApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(TokenRevocation.HttpClientName);
        builder.Services.AddSingleton<TokenRevocation>();
        builder.Services.AddSingleton<ActiveAgencies>();
        return builder;
    }

    public static WebApplication UseLiveCallers(this WebApplication app)
    {
        app.Use(CheckAsync);
        return app;
    }

    private static async Task CheckAsync(HttpContext http, RequestDelegate next)
    {
        if (http.User.Identity?.IsAuthenticated != true || http.GetEndpoint()?.Metadata.GetMetadata<SkipLiveCallerCheck>() is not null)
        {
            await next(http);
            return;
        }

        var token = BearerToken.From(http.Request);
        var expires = long.TryParse(http.User.FindFirstValue(Claims.ExpiresAt), out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp)
            : DateTimeOffset.UtcNow;
        try
        {
            if (token is null || !await http.RequestServices.GetRequiredService<TokenRevocation>().IsActiveAsync(token, expires, http.RequestAborted))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The access token is no longer active.\"";
                await ProblemCatalogue.TokenNotActive.WriteAsync(http);
                return;
            }
        }
        catch (RevocationUnknownException)
        {
            http.Response.Headers.RetryAfter = "30";
            await ProblemCatalogue.ProviderUnavailable.WriteAsync(http);
            return;
        }

        if (http.User.FindFirstValue("agency_id") is { } agency
            && !await http.RequestServices.GetRequiredService<ActiveAgencies>().IsActiveAsync(agency, http.RequestAborted))
        {
            await ProblemCatalogue.AgencyInactive.WriteAsync(http);
            return;
        }

        // A consent directory reads consents on /fhir for other systems; it never acts for its operating agency elsewhere.
        if (!Fhir.FhirPath.Is(http.Request.Path) && http.User.FindFirstValue(Caller.ClientKinds.Claim) == Caller.ClientKinds.ConsentDirectory)
        {
            await ProblemCatalogue.Forbidden.WriteAsync(http, "A consent directory's token is for /fhir only.");
            return;
        }

        await next(http);
    }
}
