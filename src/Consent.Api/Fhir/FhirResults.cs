using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Consent.Api.Sharing;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace Consent.Api.Fhir;

/// <summary>One released record, as stored, with the 42 CFR 2.32 refrain label when it carries substance-use data.</summary>
internal sealed class ResourceResult(Released released) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = FhirModel.ContentType;
        response.Headers.ETag = FhirWrites.ETag(released.Record.VersionId);

        response.Headers.LastModified = released.Record.LastUpdated.ToString("R", CultureInfo.InvariantCulture);
        return response.WriteAsync(ReleasedJson.Of(released));
    }
}

internal static class ReleasedJson
{
    /// <summary>The record's JSON; for substance-use data, with <c>NORDSCLCD</c> (no redisclosure without consent) in <c>meta.security</c>.</summary>
    public static string Of(Released released)
    {
        if (!released.RedisclosureNotice)
        {
            return released.Record.Json;
        }

        var resource = JsonSerializer.Deserialize<Resource>(released.Record.Json, FhirModel.Json)!;
        resource.Meta ??= new Meta();
        resource.Meta.Security.Add(new Coding(FhirModel.ActCodeSystem, FhirModel.NoRedisclosureCode, "no redisclosure without consent directive"));
        return FhirModel.Serialize(resource);
    }
}

/// <summary>
/// A searchset Bundle of released records, written straight from the stored JSON. <c>total</c> counts what the caller
/// may see, never what was withheld. When substance-use data is included, an OperationOutcome entry carries the
/// 42 CFR 2.32 redisclosure notice.
/// </summary>
internal sealed class BundleResult(Bundle.BundleType type, IReadOnlyList<Released> records, int total, FhirSearch? search, string? selfUrl) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}/fhir/";
        var buffer = new MemoryStream();
        // Relaxed escaping: the body is JSON for API clients, never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("resourceType", "Bundle");
            json.WriteString("id", Guid.NewGuid().ToString("n"));
            json.WriteStartObject("meta");
            json.WriteString("lastUpdated", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffK", CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteString("type", type == Bundle.BundleType.Searchset ? "searchset" : "collection");
            json.WriteNumber("total", total);
            if (search is not null && selfUrl is not null)
            {
                json.WriteStartArray("link");
                Link(json, "self", selfUrl, search, search.Offset);
                if (search.Offset + search.Count < total)
                {
                    Link(json, "next", selfUrl, search, search.Offset + search.Count);
                }

                if (search.Offset > 0)
                {
                    Link(json, "previous", selfUrl, search, Math.Max(0, search.Offset - search.Count));
                }

                json.WriteEndArray();
            }

            json.WriteStartArray("entry");
            foreach (var released in records)
            {
                json.WriteStartObject();
                json.WriteString("fullUrl", baseUrl + released.Record.Reference);
                json.WritePropertyName("resource");
                json.WriteRawValue(ReleasedJson.Of(released), skipInputValidation: true);
                json.WriteStartObject("search");
                json.WriteString("mode", "match");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            if (records.Any(r => r.RedisclosureNotice))
            {
                json.WriteStartObject();
                json.WritePropertyName("resource");
                var notice = FhirOutcomes.Outcome(OperationOutcome.IssueType.Informational, FhirModel.RedisclosureNotice);
                notice.Issue[0].Severity = OperationOutcome.IssueSeverity.Information;
                json.WriteRawValue(FhirModel.Serialize(notice));
                json.WriteStartObject("search");
                json.WriteString("mode", "outcome");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = FhirModel.ContentType;
        response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(response.Body, httpContext.RequestAborted);
    }

    private static void Link(Utf8JsonWriter json, string relation, string selfUrl, FhirSearch search, int offset)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in search.Parameters)
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        query.Append(query.Length == 0 ? '?' : '&').Append("_offset=").Append(offset.ToString(CultureInfo.InvariantCulture));
        json.WriteStartObject();
        json.WriteString("relation", relation);
        json.WriteString("url", selfUrl + query);
        json.WriteEndObject();
    }
}
