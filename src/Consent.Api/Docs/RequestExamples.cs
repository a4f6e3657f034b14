using System.Text.Json;
using System.Text.Json.Nodes;
using Consent.Api.BreakGlass;
using Consent.Api.ConsentRequests;
using Consent.Api.Consents;
using Consent.Api.Mous;
using Consent.Api.Sharing;
using Consent.Api.Vocabulary;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using PurposesOfUse = Consent.Policies.PurposesOfUse;

namespace Consent.Api.Docs;

/// <summary>
/// Example bodies for the main requests, built from the request types themselves (so a renamed field cannot leave a
/// stale example) and dated from the API's clock, so each one is accepted as it stands against the demo data.
/// </summary>
internal sealed class RequestExamples(TimeProvider time, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, VocabularyCatalogue vocabulary)
    : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var body = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
        if (body is null || operation.RequestBody?.Content is not { } content || Example(body) is not { } example)
        {
            return Task.CompletedTask;
        }

        foreach (var media in content.Values)
        {
            media.Example = WithoutNulls(JsonSerializer.SerializeToNode(example, body, json.Value.SerializerOptions));
        }

        return Task.CompletedTask;
    }

    /// <summary>Leaves out the optional fields an example does not use.</summary>
    /// <summary>The slugs the examples name, from the vocabulary.</summary>
    private string Legal => vocabulary.PurposeByCode(PurposesOfUse.Legal)!.Slug;

    private string Emergency => vocabulary.PurposeByCode(PurposesOfUse.EmergencyTreatment)!.Slug;

    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        if (node is JsonObject json)
        {
            foreach (var name in json.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                json.Remove(name);
            }

            foreach (var (_, value) in json)
            {
                WithoutNulls(value);
            }
        }

        return node;
    }

    private object? Example(Type body)
    {
        var today = new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        return body.Name switch
        {
            // A survivor in the portal lets the legal aid agency see contact and case-management records from the shelter.
            nameof(GrantConsent) => new GrantConsent("bridge-legal", ["harbor-house"], null, ["contact", "case-management"], [Legal],
                null, today.AddDays(90), ConsentMethod.Portal, "general-sharing", "3", "en"),
            nameof(DraftMou) => new DraftMou("Harbor House and Bridge Legal Aid: legal advocacy", ["harbor-house", "bridge-legal"],
                [new MouFlowView("harbor-house", "bridge-legal")], [Legal], ["contact", "case-management"],
                today, today.AddYears(1), false),
            nameof(RequestConsent) => new RequestConsent("sv-1001", ["contact"], Legal, "To prepare the protection order hearing", 30),
            nameof(SharingPreviewRequest) => new SharingPreviewRequest("bridge-legal", Legal,
                new ProposedGrant(["contact", "case-management"], ["harbor-house"])),
            nameof(DeclareBreakGlass) => new DeclareBreakGlass("sv-1001", Emergency, "Unconscious in the emergency department, no consent on file"),
            _ => null,
        };
    }
}
