using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Consent.Api.Docs;

/// <summary>
/// The answers every route can give before its own code runs, added to each operation of the document: token
/// validation (401, 503 when the identity provider cannot be asked), the live-caller check (401 for a revoked token,
/// 403 for an inactive agency or a consent directory's token outside /fhir), both also on anonymous routes when a token
/// is sent; the rate limiter on /api and /fhir (429); the size limit (413) wherever a body may be sent; and, where a
/// body is read, the body checks (400 unreadable, 415 wrong media type). Errors are
/// ProblemDetails on /api and OperationOutcome on /fhir; a response an endpoint lists without a body gets that shape.
/// </summary>
internal sealed class PipelineAnswers : IOpenApiOperationTransformer
{
    public const string ProblemDetailsSchema = "ProblemDetails";
    public const string OperationOutcomeSchema = "OperationOutcome";

    private static readonly Dictionary<int, string> Texts = new()
    {
        [400] = "The request is not valid (the body could not be read, or a field or parameter is wrong).",
        [401] = "No valid access token: missing, expired, revoked or not for this API (WWW-Authenticate says which). On an anonymous route, only when a token is sent.",
        [403] = "The caller may not do this: its role or scopes, its agency is inactive, or (on /api) it is a consent directory. On an anonymous route, only when a token is sent.",
        [413] = "The request body is larger than the configured limit.",
        [415] = "The body's media type is not accepted here.",
        [429] = "Too many requests from this caller; wait for Retry-After seconds.",
        [503] = "The identity provider or the disclosure log cannot be reached; nothing was done or disclosed. Retry after Retry-After seconds.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var path = "/" + (context.Description.RelativePath ?? "");
        var fhir = path.StartsWith("/fhir", StringComparison.OrdinalIgnoreCase);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        // A token sent to an anonymous route is checked all the same (and a consent directory's refused outside /fhir).
        var statuses = new List<int> { 401, 403, 503 };

        if (fhir || path.StartsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            statuses.Add(429);
        }

        // FHIR writes read their body themselves, so that every refusal of it is an OperationOutcome: no binding metadata says so.
        if (fhir && operation.RequestBody is null && context.Description.HttpMethod is "POST" or "PUT" && operation.Responses?.ContainsKey("415") == true)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [FhirAnswers.ContentType] = new() { Schema = new OpenApiSchemaReference(FhirAnswers.ResourceSchema, context.Document) },
                },
            };
        }

        if (operation.RequestBody is not null || metadata.OfType<IAcceptsMetadata>().Any())
        {
            statuses.AddRange([400, 413, 415]);
        }
        else if (context.Description.HttpMethod is "POST" or "PUT" or "PATCH")
        {
            // The size limit is checked on every request, before the route's own code: a body sent where none is read is refused too.
            statuses.Add(413);
        }

        operation.Responses ??= [];
        foreach (var status in statuses)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.ContainsKey(key))
            {
                operation.Responses[key] = new OpenApiResponse { Description = Texts[status] };
            }
        }

        foreach (var (key, response) in operation.Responses)
        {
            if (key.Length == 3 && key[0] is ('4' or '5') && response is OpenApiResponse { Content: null or { Count: 0 } } empty)
            {
                empty.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [fhir ? FhirAnswers.ContentType : "application/problem+json"] = new()
                    {
                        Schema = new OpenApiSchemaReference(fhir ? OperationOutcomeSchema : ProblemDetailsSchema, context.Document),
                    },
                };
            }
        }

        return Task.CompletedTask;
    }
}
