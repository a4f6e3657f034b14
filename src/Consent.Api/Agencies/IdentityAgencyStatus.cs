using System.Net.Http.Headers;
using System.Net.Http.Json;
using Consent.Api.Auth;
using Microsoft.Extensions.Options;

namespace Consent.Api.Agencies;

/// <summary>
/// Tells the identity provider that an agency was deactivated or reactivated, so that it stops (or resumes) issuing
/// tokens to the agency's systems and staff. The call carries the platform admin's own access token (its audience
/// includes the provider's admin API), so the provider checks the same person's right to do it. It is made before the
/// change is saved here: when the provider cannot be told, nothing changes and the admin tries again.
/// </summary>
public sealed class IdentityAgencyStatus(IHttpClientFactory http, IHttpContextAccessor context, IOptions<TokenValidationOptions> options)
{
    public const string HttpClientName = "identity-admin";

    public async Task<bool> TellAsync(string agencyId, bool active, CancellationToken cancellationToken)
    {
        if (context.HttpContext is not { } current || BearerToken.From(current.Request) is not { } token)
        {
            return false;
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(options.Value.Authority, $"api/clients/agencies/{Uri.EscapeDataString(agencyId)}/status"))
        {
            Content = JsonContent.Create(new { active }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
