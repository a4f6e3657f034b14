using Microsoft.Extensions.Options;

namespace Consent.Portal.ConsentApi;

internal static class ConsentApiExtensions
{
    public static WebApplicationBuilder AddConsentApiClient(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsentApiOptions>()
            .Bind(builder.Configuration.GetSection(ConsentApiOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient<ConsentApiClient>((services, http) =>
        {
            var options = services.GetRequiredService<IOptions<ConsentApiOptions>>().Value;
            http.BaseAddress = options.BaseUrl;
            http.Timeout = options.Timeout;
        });
        return builder;
    }
}
