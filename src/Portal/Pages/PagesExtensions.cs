using System.Text.Encodings.Web;
using System.Text.Unicode;
using Consent.Portal.SignIn;
using Consent.Portal.Vocabulary;

namespace Consent.Portal.Pages;

internal static class PagesExtensions
{
    public static WebApplicationBuilder AddPortalPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/My", PortalPolicies.Survivor);
            options.Conventions.AuthorizeFolder("/Advocate", PortalPolicies.Advocate);
            options.Conventions.AuthorizeFolder("/Compliance", PortalPolicies.Compliance);
            options.Conventions.AuthorizeFolder("/Agency", PortalPolicies.AgencyAdmin);
        });
        builder.Services.AddSingleton<PurposesOfUse>();
        builder.Services.AddScoped<PurposesOfUseFilter>();
        builder.Services.Configure<RouteOptions>(options => options.LowercaseUrls = true);

        // Spanish and Korean text is written as characters, not numeric entities (smaller pages, readable source).
        builder.Services.AddWebEncoders(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        return builder;
    }
}
