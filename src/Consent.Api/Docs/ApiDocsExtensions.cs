using Scalar.AspNetCore;

namespace Consent.Api.Docs;

/// <summary>The OpenAPI document (/openapi/v1.json) and a browsable reference (/scalar).</summary>
public static class ApiDocsExtensions
{
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Consent platform API";
            document.Info.Description =
                "Consent, MOU and statutory-basis records, and FHIR R4 reads gated by policy. " +
                "Every call needs an access token from the platform's identity provider.";
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        return app;
    }
}
