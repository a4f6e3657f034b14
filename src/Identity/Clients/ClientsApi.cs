using System.Security.Claims;
using Consent.Identity.Agencies;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Clients;

/// <summary>
/// Registration of agency systems, and suspension of agencies, by a platform admin: a user with the
/// platform-admin role (their token for this admin API, or for the consent API, which forwards it when an
/// admin deactivates an agency), or the platform operator's own client holding <c>platform/clients.manage</c>
/// for this admin API.
/// </summary>
internal static class ClientsApi
{
    public const string ManageClientsPolicy = "ManageAgencyClients";

    public static IServiceCollection AddClientRegistration(this IServiceCollection services)
    {
        services.AddHttpClient(nameof(AgencyClientRegistrar));
        services.AddScoped<AgencyClientRegistrar>();
        services.AddAuthorizationBuilder().AddPolicy(ManageClientsPolicy, policy => policy
            .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context =>
                context.User.IsInRole(Roles.PlatformAdmin) ||
                (context.User.HasScope(PlatformScopes.ManageClients) && context.User.HasAudience(PlatformScopes.IdentityAdmin))));
        return services;
    }

    public static RouteGroupBuilder MapClients(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/clients")
            .RequireAuthorization(ManageClientsPolicy)
            .WithTags("Agency clients");
        group.MapPost("/", Register);
        group.MapGet("/", List);
        group.MapDelete("/{clientId}", Remove);
        group.MapPut("/agencies/{agencyId}/status", SetStatus);
        return group;
    }

    private static async Task<Results<Ok<AgencyStatus>, ValidationProblem>> SetStatus(
        string agencyId, SetAgencyStatus request, ClaimsPrincipal admin, AgencySuspensions suspensions, CancellationToken cancellationToken)
    {
        var (status, errors) = await suspensions.SetActiveAsync(agencyId, request, admin.GetClaim(Claims.Subject) ?? "", cancellationToken);
        return status is null
            ? TypedResults.ValidationProblem(errors!, type: "https://consent.example/problems/invalid-agency-status",
                title: "The agency status change is not valid.")
            : TypedResults.Ok(status);
    }

    private static async Task<Results<Created<RegisteredAgencyClient>, ValidationProblem>> Register(
        RegisterAgencyClient request, AgencyClientRegistrar registrar, CancellationToken cancellationToken)
    {
        var (client, errors) = await registrar.RegisterAsync(request, cancellationToken);
        return client is null
            ? TypedResults.ValidationProblem(errors!, type: "https://consent.example/problems/invalid-client-registration",
                title: "The client registration is not valid.")
            : TypedResults.Created($"/api/clients/{client.ClientId}", client);
    }

    private static async Task<Ok<List<RegisteredAgencyClient>>> List(
        IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var clients = new List<RegisteredAgencyClient>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            var properties = await applications.GetPropertiesAsync(application, cancellationToken);
            if (!properties.TryGetValue(AgencyClientRegistrar.AgencyIdProperty, out var agency))
            {
                continue;
            }

            var permissions = await applications.GetPermissionsAsync(application, cancellationToken);
            var keySet = await applications.GetJsonWebKeySetAsync(application, cancellationToken);
            clients.Add(new RegisteredAgencyClient(
                (await applications.GetClientIdAsync(application, cancellationToken))!,
                agency.GetString()!,
                (await applications.GetDisplayNameAsync(application, cancellationToken)) ?? "",
                permissions.Where(p => p.StartsWith(Permissions.Prefixes.Scope, StringComparison.Ordinal))
                    .Select(p => p[Permissions.Prefixes.Scope.Length..])
                    .Where(scope => scope != PlatformScopes.ConsentApi)
                    .ToList(),
                keySet?.Keys.Select(k => k.KeyId).ToList() ?? [],
                ClientSecret: null));
        }

        return TypedResults.Ok(clients);
    }

    private static async Task<Results<NoContent, NotFound>> Remove(
        string clientId, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null ||
            !(await applications.GetPropertiesAsync(application, cancellationToken)).ContainsKey(AgencyClientRegistrar.AgencyIdProperty))
        {
            return TypedResults.NotFound();
        }

        await applications.DeleteAsync(application, cancellationToken);
        return TypedResults.NoContent();
    }
}
