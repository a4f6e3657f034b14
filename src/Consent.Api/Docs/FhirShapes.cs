using System.ComponentModel;

namespace Consent.Api.Docs;

/// <summary>
/// The shapes /fhir answers in, for the OpenAPI document only: the endpoints write Firely SDK resources, whose own
/// types are far too large (and recursive) to describe as schemas.
/// </summary>
[Description("An HL7 FHIR R4 OperationOutcome: every error /fhir answers.")]
public sealed record OperationOutcomeShape(
    [property: Description("Always \"OperationOutcome\".")] string ResourceType,
    IReadOnlyList<OperationOutcomeIssue> Issue);

[Description("One issue: severity (error), code (not-found, forbidden, invalid, processing, throttled, transient ...) and a diagnostic text that never names a record or a person.")]
public sealed record OperationOutcomeIssue(string Severity, string Code, string? Diagnostics);

[Description("An HL7 FHIR R4 resource as JSON (a searchset Bundle for searches and $everything); its other elements are those of its resource type.")]
public sealed record FhirResourceShape(string ResourceType, string? Id);

/// <summary>Documents the answers of a /fhir route: FHIR JSON on success, an OperationOutcome on error.</summary>
public static class FhirAnswers
{
    public const string ContentType = "application/fhir+json";

    public const string ResourceSchema = "FhirResource";

    public static RouteHandlerBuilder WithFhirAnswers(this RouteHandlerBuilder builder, int success, params int[] errors)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(errors);
        if (success != 0)
        {
            builder.Produces<FhirResourceShape>(success, ContentType);
        }

        foreach (var status in errors.Distinct())
        {
            builder.Produces<OperationOutcomeShape>(status, ContentType);
        }

        return builder;
    }
}
