using System.Security.Claims;
using Consent.Identity.Agencies;
using Consent.Identity.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Consent.Identity.Clients;

/// <summary>
/// Registration of system clients, and suspension of agencies, by a platform admin: a user with the
/// platform-admin role (their token for this admin API, or for the consent API, which forwards it when an
/// admin deactivates an agency), or the platform operator's own client holding <c>platform/clients.manage</c>
/// for this admin API. An agency admin (their token addressed to this admin API, as the portal holds it) manages
/// the agency systems of their own agency only: they see, register, re-key and remove those, and nothing else exists
/// for them. Consent directories stay with platform admins even when the admin's agency operates one, since a
/// directory reads every survivor's consents; so does suspending agencies.
/// </summary>
internal static class ClientsApi
{
    public const string ManageClientsPolicy = "ManageAgencyClients";
    public const string SuspendAgenciesPolicy = "SuspendAgencies";

    public static IServiceCollection AddClientRegistration(this IServiceCollection services)
    {
        services.AddHttpClient(nameof(AgencyClientRegistrar));
        services.AddScoped<AgencyClientRegistrar>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ManageClientsPolicy, policy => policy
                .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => ManagesAllAgencies(context.User) || OwnAgency(context.User) is not null))
            .AddPolicy(SuspendAgenciesPolicy, policy => policy
                .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => ManagesAllAgencies(context.User)));
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
        group.MapPut("/{clientId}/keys", ReplaceKey);
        group.MapPut("/agencies/{agencyId}/status", SetStatus).RequireAuthorization(SuspendAgenciesPolicy);
        return group;
    }

    /// <summary>A platform admin, or the platform operator's client: every agency's systems.</summary>
    private static bool ManagesAllAgencies(ClaimsPrincipal user) =>
        user.IsInRole(Roles.PlatformAdmin) ||
        (user.HasScope(PlatformScopes.ManageClients) && user.HasAudience(PlatformScopes.IdentityAdmin));

    /// <summary>The agency whose systems an agency admin manages; null for anyone else.</summary>
    private static string? OwnAgency(ClaimsPrincipal user) =>
        !ManagesAllAgencies(user) && user.IsInRole(Roles.AgencyAdmin) && user.HasAudience(PlatformScopes.IdentityAdmin) &&
        user.GetClaim(PlatformClaims.AgencyId) is { Length: > 0 } agencyId
            ? agencyId
            : null;

    /// <summary>Whether the caller may see and change this agency's systems.</summary>
    private static bool MayManageAgency(ClaimsPrincipal user, string? agencyId) =>
        ManagesAllAgencies(user) || (OwnAgency(user) is { } own && string.Equals(own, agencyId, StringComparison.Ordinal));

    /// <summary>Whether the caller may see and change this registered client: any kind but an agency system is platform admins' alone.</summary>
    private static bool MayManage(ClaimsPrincipal user, string agencyId, string kind) =>
        kind == ClientKinds.AgencySystem ? MayManageAgency(user, agencyId) : ManagesAllAgencies(user);

    private static async Task<Results<Ok<AgencyStatus>, ValidationProblem>> SetStatus(
        string agencyId, SetAgencyStatus request, ClaimsPrincipal admin, AgencySuspensions suspensions, CancellationToken cancellationToken)
    {
        var (status, errors) = await suspensions.SetActiveAsync(agencyId, request, admin.GetClaim(Claims.Subject) ?? "", cancellationToken);
        return status is null
            ? TypedResults.ValidationProblem(errors!, type: "https://consent.example/problems/invalid-agency-status",
                title: "The agency status change is not valid.")
            : TypedResults.Ok(status);
    }

    private static async Task<Results<Created<RegisteredAgencyClient>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterAgencyClient request, ClaimsPrincipal caller, AgencyClientRegistrar registrar, CancellationToken cancellationToken)
    {
        if (request.Kind == ClientKinds.ConsentDirectory && !ManagesAllAgencies(caller))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, type: "https://consent.example/problems/consent-directory-platform-admin",
                title: "Consent directories are registered by platform admins: a directory reads every survivor's consents.");
        }

        if (!MayManageAgency(caller, request.AgencyId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, type: "https://consent.example/problems/other-agency",
                title: "Agency admins register systems of their own agency only.");
        }

        var (client, errors) = await registrar.RegisterAsync(request, cancellationToken);
        return client is null
            ? TypedResults.ValidationProblem(errors!, type: "https://consent.example/problems/invalid-client-registration",
                title: "The client registration is not valid.")
            : TypedResults.Created($"/api/clients/{client.ClientId}", client);
    }

    private static async Task<Ok<List<RegisteredAgencyClient>>> List(
        ClaimsPrincipal caller, IOpenIddictApplicationManager applications, AgencyClientRegistrar registrar, CancellationToken cancellationToken)
    {
        var clients = new List<RegisteredAgencyClient>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            if (await registrar.DescribeAsync(application, cancellationToken) is { } client && MayManage(caller, client.AgencyId, client.Kind))
            {
                clients.Add(client);
            }
        }

        return TypedResults.Ok(clients);
    }

    /// <summary>Another agency's system, or for an agency admin a consent directory, is not found, the same as one that does not exist.</summary>
    private static async Task<Results<NoContent, NotFound>> Remove(
        string clientId, ClaimsPrincipal caller, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        var registration = application is null ? null : AgencyClientProperties.Read(await applications.GetPropertiesAsync(application, cancellationToken));
        if (application is null || registration is null || !MayManage(caller, registration.AgencyId, registration.Kind))
        {
            return TypedResults.NotFound();
        }

        await applications.DeleteAsync(application, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Replaces the system's keys with one new public key: assertions signed with the old key are refused from now on,
    /// so the agency switches its system to the new key first.
    /// </summary>
    private static async Task<Results<Ok<RegisteredAgencyClient>, ValidationProblem, NotFound>> ReplaceKey(
        string clientId, ReplaceAgencyClientKey request, ClaimsPrincipal caller, AgencyClientRegistrar registrar, CancellationToken cancellationToken)
    {
        var (client, errors) = await registrar.ReplaceKeyAsync(clientId, request,
            client => MayManage(caller, client.AgencyId, client.Kind), cancellationToken);
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors, type: "https://consent.example/problems/invalid-client-key",
                title: "The new key is not valid.");
        }

        return client is null ? TypedResults.NotFound() : TypedResults.Ok(client);
    }
}
