using System.Globalization;
using Consent.Api.Caller;
using Consent.Api.Fhir;
using Consent.Api.Storage;
using Consent.Api.Vocabulary;
using AgencyTypes = Consent.Policies.AgencyTypes;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Agencies;

/// <summary>
/// The agencies as FHIR <c>Organization</c> resources, so that the actors of an exported Consent
/// (<c>Organization/{agency id}</c>) resolve: id, identifier (<see cref="IdentifierSystem"/>), name, type, active.
/// Readable by any agency system or consent directory; they hold no survivor data, so reading them is not a disclosure.
/// </summary>
public static class AgencyOrganizations
{
    public const string IdentifierSystem = "https://consent.example/fhir/sid/agency";
    public const string TypeSystem = "https://consent.example/fhir/CodeSystem/agency-type";
    public const string OrganizationTypeSystem = "http://terminology.hl7.org/CodeSystem/organization-type";

    private static readonly HashSet<string> Parameters = new(StringComparer.Ordinal) { "identifier", "_id", "_count", "_offset", "_format" };

    public static async Task<IResult> Read(string id, HttpContext http, ConsentDb db, CancellationToken ct)
    {
        if (Refuse(http) is { } refused)
        {
            return refused;
        }

        var agency = FhirSearch.IsId(id) ? await db.Agencies.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) : null;
        return agency is null
            ? FhirOutcomes.NotFound()
            : TypedResults.Content(FhirModel.Serialize(ToFhir(agency)), FhirModel.ContentType, statusCode: StatusCodes.Status200OK);
    }

    public static async Task<IResult> Search(HttpContext http, ConsentDb db, CancellationToken ct)
    {
        if (Refuse(http) is { } refused)
        {
            return refused;
        }

        string? identifierSystem = null;
        string? identifierValue = null;
        string? byId = null;
        var count = FhirSearch.DefaultCount;
        var offset = 0;
        foreach (var (name, values) in http.Request.Query)
        {
            if (!Parameters.Contains(name))
            {
                return FhirOutcomes.Invalid("Organizations are searched by identifier (system|value or value) or _id, with _count and _offset.");
            }

            var value = values.Count == 1 ? values[0] ?? "" : "";
            if (value.Length is 0 or > 256)
            {
                return FhirOutcomes.Invalid($"The search parameter '{name}' takes one value of at most 256 characters.");
            }

            switch (name)
            {
                case "identifier":
                    var bar = value.IndexOf('|', StringComparison.Ordinal);
                    (identifierSystem, identifierValue) = bar < 0 ? (null, value) : (value[..bar], value[(bar + 1)..]);
                    break;
                case "_id":
                    byId = value;
                    break;
                case "_count" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c is >= 1 and <= FhirSearch.MaxCount:
                    count = c;
                    break;
                case "_offset" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var o) && o is >= 0 and <= 1_000_000:
                    offset = o;
                    break;
                case "_format":
                    break;
                default:
                    return FhirOutcomes.Invalid($"_count must be a whole number from 1 to {FhirSearch.MaxCount}; _offset from 0.");
            }
        }

        IQueryable<Agency> agencies = db.Agencies.AsNoTracking();
        if (identifierValue is not null)
        {
            // Only this system identifies agencies: another system matches nothing.
            agencies = identifierSystem is null || identifierSystem == IdentifierSystem ? agencies.Where(a => a.Id == identifierValue) : agencies.Where(_ => false);
        }

        if (byId is not null)
        {
            agencies = agencies.Where(a => a.Id == byId);
        }

        var all = await agencies.OrderBy(a => a.Id).ToListAsync(ct);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = all.Count };
        var request = http.Request;
        var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/fhir/Organization/";
        foreach (var agency in all.Skip(offset).Take(count))
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = baseUrl + agency.Id,
                Resource = ToFhir(agency),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        return TypedResults.Content(FhirModel.Serialize(bundle), FhirModel.ContentType, statusCode: StatusCodes.Status200OK);
    }

    public static Organization ToFhir(Agency agency)
    {
        ArgumentNullException.ThrowIfNull(agency);
        var type = new CodeableConcept(TypeSystem, agency.Type, VocabularyCatalogue.AgencyTypeDisplay(agency.Type, CultureInfo.InvariantCulture));
        if (OrganizationType(agency.Type) is var (code, display))
        {
            type.Coding.Add(new Coding(OrganizationTypeSystem, code, display));
        }

        return new Organization
        {
            Id = agency.Id,
            Identifier = [new Identifier(IdentifierSystem, agency.Id)],
            Active = agency.Active,
            Name = agency.Name,
            Type = [type],
        };
    }

    /// <summary>HL7's organization type nearest to an agency type.</summary>
    private static (string Code, string Display)? OrganizationType(string agencyType) => agencyType switch
    {
        AgencyTypes.Medical or AgencyTypes.BehavioralHealth => ("prov", "Healthcare Provider"),
        AgencyTypes.LawEnforcement or AgencyTypes.ChildProtection => ("govt", "Government"),
        AgencyTypes.Shelter or AgencyTypes.VictimServices => ("cg", "Community Group"),
        AgencyTypes.Legal or AgencyTypes.Other => ("other", "Other"),
        _ => null,
    };

    /// <summary>Any agency system or consent directory; users and anonymous callers are not.</summary>
    private static IResult? Refuse(HttpContext http)
    {
        http.Response.Headers[FhirApi.RequestIdHeader] = http.TraceIdentifier;
        return FhirCaller.From(ApiCaller.From(http.User)) is null
            ? FhirOutcomes.Forbidden("/fhir is for agency systems (client credentials with SMART system scopes).")
            : null;
    }
}
