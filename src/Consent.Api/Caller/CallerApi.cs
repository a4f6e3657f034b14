using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Api.Caller;

/// <summary>Who the API believes is calling: proves the token chain from the identity provider works.</summary>
public sealed record CallerView(
    string Subject,
    string? ClientId,
    string? AgencyId,
    string? SurvivorId,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Scopes);

internal static class CallerApi
{
    public static RouteGroupBuilder MapCaller(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Caller");
        group.MapGet("/me", Me)
            .WithSummary("The caller as the API sees it: agency, client, user, roles and scopes from the access token.")
            .Produces(StatusCodes.Status401Unauthorized);
        return group;
    }

    private static Ok<CallerView> Me(ClaimsPrincipal user) => TypedResults.Ok(new CallerView(
        user.GetClaim(Claims.Subject) ?? "",
        user.GetClaim(Claims.ClientId) ?? user.GetClaim(Claims.Private.Presenter),
        user.GetClaim("agency_id"),
        user.GetClaim("survivor_id"),
        [.. user.GetClaims(Claims.Role)],
        [.. user.GetScopes()]));
}
