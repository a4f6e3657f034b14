using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Consent.Portal.Pages;

internal static class PagesExtensions
{
    public static WebApplicationBuilder AddPortalPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages();

        // Spanish and Korean text is written as characters, not numeric entities (smaller pages, readable source).
        builder.Services.AddWebEncoders(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        return builder;
    }
}
