using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Consent.Api.Vocabulary;

/// <summary>
/// Gives the OpenAPI document the vocabulary's values: a request's <c>purpose</c>/<c>purposes</c> lists the purpose
/// slugs, <c>categories</c> the data categories, <c>type</c> of an agency the agency types, so a client generated from the
/// document offers exactly what the API accepts. Read from the catalogue, not repeated.
/// </summary>
internal sealed class VocabularySchemaTransformer(VocabularyCatalogue vocabulary) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        var type = context.JsonTypeInfo.Type;
        if (schema.Properties is null || !IsRequest(type))
        {
            return Task.CompletedTask;
        }

        foreach (var (name, property) in schema.Properties)
        {
            IReadOnlyList<string>? values = name switch
            {
                "purpose" or "purposes" => [.. vocabulary.Purposes.Select(p => p.Slug)],
                "categories" => [.. vocabulary.Categories.Keys],
                "type" => VocabularyCatalogue.AgencyTypes,
                _ => null,
            };
            var target = property is OpenApiSchema { Items: OpenApiSchema items } ? items : property as OpenApiSchema;
            if (values is not null && target is not null)
            {
                target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Request bodies only: answers may carry values stored before a configuration change.</summary>
    private static bool IsRequest(Type type) =>
        type == typeof(Consents.GrantConsent) || type == typeof(Mous.DraftMou) || type == typeof(ConsentRequests.RequestConsent)
        || type == typeof(BreakGlass.DeclareBreakGlass) || type == typeof(Sharing.SharingPreviewRequest) || type == typeof(Sharing.ProposedGrant)
        || type == typeof(Agencies.CreateAgency) || type == typeof(Agencies.UpdateAgency);
}
