using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Consent.Api.Docs;

/// <summary>The OpenAPI document (/openapi/v1.json) and a browsable reference (/scalar).</summary>
public static class ApiDocsExtensions
{
    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.CreateSchemaReferenceId = type =>
                type.Type == typeof(OperationOutcomeShape) ? PipelineAnswers.OperationOutcomeSchema
                : type.Type == typeof(FhirResourceShape) ? FhirAnswers.ResourceSchema
                : Microsoft.AspNetCore.OpenApi.OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer(async (document, context, cancellationToken) =>
            {
                document.Info.Title = "Consent platform API";
                document.Info.Description =
                    "Consent, MOU and statutory-basis records, and FHIR R4 reads gated by policy. " +
                    "Every call needs an access token from the platform's identity provider. " +
                    "Errors are RFC 9457 ProblemDetails (application/problem+json) with a catalogued type on /api, " +
                    "and OperationOutcome (application/fhir+json) on /fhir.";
                // The error shapes every operation refers to, whether or not an endpoint named them itself.
                foreach (var (id, type) in new[] { (PipelineAnswers.ProblemDetailsSchema, typeof(ProblemDetails)), (PipelineAnswers.OperationOutcomeSchema, typeof(OperationOutcomeShape)) })
                {
                    if (document.Components?.Schemas?.ContainsKey(id) != true)
                    {
                        document.AddComponent(id, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
                    }
                }
            });
            options.AddOperationTransformer<PipelineAnswers>();
            options.AddOperationTransformer<RequestExamples>();
        });
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        return app;
    }
}
