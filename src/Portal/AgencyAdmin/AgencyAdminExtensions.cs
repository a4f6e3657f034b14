using Consent.Portal.SignIn;
using Microsoft.Extensions.Options;

namespace Consent.Portal.AgencyAdmin;

internal static class AgencyAdminExtensions
{
    /// <summary>
    /// The agency pages' clients: MOUs through the consent API, agency systems through the identity provider's admin API
    /// (at the provider the portal signs in with, within the consent API's timeout).
    /// </summary>
    public static WebApplicationBuilder AddAgencyAdministration(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AgencyMous>();
        builder.Services.AddHttpClient<AgencySystems>((services, http) =>
        {
            var authority = services.GetRequiredService<IOptions<OidcOptions>>().Value.Authority;
            http.BaseAddress = new Uri(authority.AbsoluteUri.TrimEnd('/') + "/");
            http.Timeout = services.GetRequiredService<IOptions<ConsentApi.ConsentApiOptions>>().Value.Timeout;
        });
        return builder;
    }
}
