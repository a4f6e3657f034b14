using Consent.Api.Auth;
using Consent.Api.Vocabulary;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.Extensions.Options;

namespace Consent.Api.Fhir;

/// <summary>What the server supports, for agency developers and their tools: the CapabilityStatement and SMART discovery.</summary>
internal static class FhirMetadata
{
    public static IResult Capabilities(HttpContext http, IOptions<TokenValidationOptions> auth, VocabularyCatalogue vocabulary)
    {
        var request = http.Request;
        var token = new Uri(auth.Value.Authority, "connect/token").ToString();
        var statement = new Hl7.Fhir.Model.CapabilityStatement
        {
            Status = PublicationStatus.Active,
            Date = "2026-11-23",
            Kind = CapabilityStatementKind.Instance,
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json"],
            Software = new CapabilityStatement.SoftwareComponent { Name = "Consent platform FHIR gateway" },
            Implementation = new CapabilityStatement.ImplementationComponent
            {
                Description = "Survivor records shared only as consent, MOUs and statute allow; every read is logged.",
                Url = $"{request.Scheme}://{request.Host}{request.PathBase}/fhir",
            },
            Rest =
            [
                new CapabilityStatement.RestComponent
                {
                    Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                    Documentation = "Every read needs the X-Purpose-Of-Use header with one of: "
                        + string.Join(", ", vocabulary.Purposes.Select(p => $"{p.Code} ({p.System})"))
                        + ". Emergency reads add X-Break-Glass-Reason. Withheld and missing records both answer 404.",
                    Security = new CapabilityStatement.SecurityComponent
                    {
                        Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR")],
                        Description = "OAuth 2 client credentials with private_key_jwt (RS384/ES384) or a client secret; SMART v2 system scopes.",
                        Extension = [new Extension { Url = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            Extension = [new Extension("token", new FhirUri(token))] }],
                    },
                    Resource = [.. FhirModel.WritableTypes.Select(Resource), Organization()],
                },
            ],
        };
        return TypedResults.Content(FhirModel.Serialize(statement), FhirModel.ContentType);
    }

    private static CapabilityStatement.ResourceComponent Resource(string type)
    {
        var resource = new CapabilityStatement.ResourceComponent
        {
            Type = type,
            Interaction =
            [
                new() { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                new() { Code = CapabilityStatement.TypeRestfulInteraction.SearchType },
                new() { Code = CapabilityStatement.TypeRestfulInteraction.Create },
                new() { Code = CapabilityStatement.TypeRestfulInteraction.Update },
            ],
            Versioning = CapabilityStatement.ResourceVersionPolicy.Versioned,
            UpdateCreate = false,
            SearchParam =
            [
                Param("_lastUpdated", SearchParamType.Date, "ge, gt, le, lt, eq with a date or an instant"),
                Param("_count", SearchParamType.Number, $"page size, 1 to {FhirSearch.MaxCount} (default {FhirSearch.DefaultCount})"),
            ],
        };

        if (type == "Patient")
        {
            resource.SearchParam.Add(Param("identifier", SearchParamType.Token,
                $"system|value; {FhirModel.SurvivorIdentifierSystem}|<survivor id> finds the survivor's linked Patients"));
            resource.Operation.Add(new CapabilityStatement.OperationComponent
            {
                Name = "everything",
                Definition = "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                Documentation = "Every record about the survivor the caller may see; 404 when there is none.",
            });
        }
        else
        {
            resource.SearchParam.Add(Param("patient", SearchParamType.Reference, "Patient/{id}; also patient:identifier=system|value"));
            resource.SearchParam.Add(Param("category", SearchParamType.Token, "code or system|code"));
        }

        if (type == "Consent")
        {
            resource.SearchParam.Add(Param("status", SearchParamType.Token, "also returns the survivor's consent grants as Consent resources"));
            resource.SearchParam.Add(Param("scope", SearchParamType.Token, "code or system|code, e.g. http://terminology.hl7.org/CodeSystem/consentscope|patient-privacy"));
            resource.Documentation = "Grants (and, for consent directories, 51A cases) are exported as the effective decision in the IHE PCF "
                + "rules pattern: root provision deny, one nested permit per MOU in force. See docs/consent-directory.md.";
        }

        return resource;
    }

    /// <summary>The agencies, read-only, for any agency system or consent directory.</summary>
    private static CapabilityStatement.ResourceComponent Organization() => new()
    {
        Type = "Organization",
        Interaction =
        [
            new() { Code = CapabilityStatement.TypeRestfulInteraction.Read },
            new() { Code = CapabilityStatement.TypeRestfulInteraction.SearchType },
        ],
        Versioning = CapabilityStatement.ResourceVersionPolicy.NoVersion,
        SearchParam =
        [
            Param("identifier", SearchParamType.Token, $"{Agencies.AgencyOrganizations.IdentifierSystem}|<agency id>, or the agency id alone"),
            Param("_id", SearchParamType.Token, "the agency id"),
            Param("_count", SearchParamType.Number, $"page size, 1 to {FhirSearch.MaxCount} (default {FhirSearch.DefaultCount})"),
        ],
        Documentation = "The platform's agencies (the actors of exported Consents); no survivor data.",
    };

    private static CapabilityStatement.SearchParamComponent Param(string name, SearchParamType type, string documentation) =>
        new() { Name = name, Type = type, Documentation = documentation };

    public static IResult SmartConfiguration(IOptions<TokenValidationOptions> auth) => TypedResults.Json(new
    {
        issuer = auth.Value.Authority.ToString(),
        jwks_uri = new Uri(auth.Value.Authority, ".well-known/jwks").ToString(),
        token_endpoint = new Uri(auth.Value.Authority, "connect/token").ToString(),
        grant_types_supported = new[] { "client_credentials" },
        token_endpoint_auth_methods_supported = new[] { "private_key_jwt", "client_secret_basic", "client_secret_post" },
        token_endpoint_auth_signing_alg_values_supported = new[] { "RS384", "ES384" },
        scopes_supported = (string[])["system/*.rs", "system/*.cruds",
            .. FhirModel.WritableTypes.SelectMany(type => new[] { $"system/{type}.rs", $"system/{type}.cruds" }), "system/Organization.rs"],
        // private_key_jwt (asymmetric) and, for simple setups, a client secret (symmetric); SMART v2 scopes only.
        capabilities = new[] { "client-confidential-asymmetric", "client-confidential-symmetric", "permission-v2" },
    });
}
