using System.Text;
using Consent.Api.Agencies;
using Consent.Api.Caller;
using Consent.Api.Categories;
using Consent.Api.ConsentDirectory;
using Consent.Api.Docs;
using Consent.Api.Sharing;
using Consent.Api.Vocabulary;
using Microsoft.Net.Http.Headers;

namespace Consent.Api.Fhir;

/// <summary>
/// /fhir: agencies write their own records and read others' through the policy. Every read names its purpose of use
/// (header <c>X-Purpose-Of-Use</c>); an emergency read adds <c>X-Break-Glass-Reason</c>. Answers are FHIR JSON; errors
/// are OperationOutcome.
/// </summary>
public static class FhirApi
{
    public const string PurposeHeader = "X-Purpose-Of-Use";
    public const string BreakGlassHeader = "X-Break-Glass-Reason";
    public const string RequestIdHeader = "X-Request-Id";

    public static TBuilder AddFhir<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSharing();
        builder.Services.AddScoped<FhirWrites>();
        builder.Services.AddScoped<FhirReads>();
        builder.Services.AddScoped<ConsentDirectoryReads>();
        // Ahead of the default writer, so that errors on /fhir are OperationOutcomes (see FhirProblemWriter).
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, FhirProblemWriter>());
        return builder;
    }

    public static IEndpointRouteBuilder MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").WithTags("FHIR");
        fhir.MapGet("/metadata", FhirMetadata.Capabilities).AllowAnonymous()
            .WithSummary("The CapabilityStatement: resources, interactions, search parameters and the SMART security configuration.")
            .WithFhirAnswers(StatusCodes.Status200OK);
        fhir.MapGet("/.well-known/smart-configuration", FhirMetadata.SmartConfiguration).AllowAnonymous()
            .WithSummary("SMART on FHIR discovery: token endpoint, grant types, client authentication and scopes.")
            .Produces<object>(StatusCodes.Status200OK);
        fhir.MapGet("/Organization/{id}", AgencyOrganizations.Read)
            .WithSummary("An agency as a FHIR Organization: its id (identifier system .../sid/agency), name, type and whether it is active.")
            .WithFhirAnswers(StatusCodes.Status200OK, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
        fhir.MapGet("/Organization", AgencyOrganizations.Search)
            .WithSummary("Searches the agencies by identifier (system|value or value) or _id; no survivor data.")
            .WithFhirAnswers(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);
        fhir.MapPost("/AuditEvent", AuditEventNotAccepted)
            .WithSummary("Not accepted: the platform keeps its own disclosure log of every read (405, an OperationOutcome; services treat it as optional).")
            .WithFhirAnswers(0, StatusCodes.Status405MethodNotAllowed);
        fhir.MapGet("/Patient/{id}/$everything", Everything)
            .WithSummary("Every record about the patient's survivor that the caller may see, as a searchset Bundle.")
            .WithFhirAnswers(StatusCodes.Status200OK, ReadErrors);
        fhir.MapGet("/{type}/{id}", Read).WithSummary("Reads one record (the caller's own, or another agency's as the policy permits).")
            .WithFhirAnswers(StatusCodes.Status200OK, ReadErrors);
        fhir.MapGet("/{type}", Search).WithSummary("Searches a patient's records; only permitted records are returned and counted.")
            .WithFhirAnswers(StatusCodes.Status200OK, ReadErrors);
        fhir.MapPost("/{type}", Create).WithSummary("Creates a record owned by the caller's agency.")
            .WithFhirAnswers(StatusCodes.Status201Created, WriteErrors);
        fhir.MapPut("/{type}/{id}", Update).WithSummary("Updates one of the caller's agency's own records (If-Match: W/\"version\" to guard against lost updates).")
            .WithFhirAnswers(StatusCodes.Status200OK, [.. WriteErrors, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed]);
        return app;
    }

    /// <summary>A read's refusals: bad purpose or parameters, scopes or agency, not there for this caller, not JSON, log down.</summary>
    private static readonly int[] ReadErrors =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status406NotAcceptable,
        StatusCodes.Status503ServiceUnavailable,
    ];

    /// <summary>A write's refusals: not a valid resource, scopes, unknown type or record, wrong media type, a rule of the platform.</summary>
    private static readonly int[] WriteErrors =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity,
    ];

    private static async Task<IResult> Read(string type, string id, HttpContext http, FhirReads reads, ConsentDirectoryReads directory,
        CancellationToken ct)
    {
        var (context, refused) = await ReadContextAsync(http, type, SmartScopes.Read, ct);
        if (refused is not null)
        {
            return refused;
        }

        if (!FhirSearch.IsId(id))
        {
            return FhirOutcomes.NotFound();
        }

        return context!.Caller.IsConsentDirectory ? await directory.ReadAsync(context, type, id, ct) : await reads.ReadAsync(context, type, id, ct);
    }

    private static async Task<IResult> Search(string type, HttpContext http, FhirReads reads, ConsentDirectoryReads directory, CancellationToken ct)
    {
        var (context, refused) = await ReadContextAsync(http, type, SmartScopes.Search, ct);
        if (refused is not null)
        {
            return refused;
        }

        var (search, error) = FhirSearch.Parse(type, http.Request.Query);
        if (search is null)
        {
            return FhirOutcomes.Invalid(error!);
        }

        var request = http.Request;
        var self = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
        return context!.Caller.IsConsentDirectory ? await directory.SearchAsync(context, search, self, ct) : await reads.SearchAsync(context, search, self, ct);
    }

    private static async Task<IResult> Everything(string id, HttpContext http, FhirReads reads, CancellationToken ct)
    {
        var (context, refused) = await ReadContextAsync(http, "Patient", SmartScopes.Read, ct);
        if (refused is not null)
        {
            return refused;
        }

        if (context!.Caller.IsConsentDirectory)
        {
            return FhirOutcomes.Forbidden(DirectoryReadsOnly);
        }

        return FhirSearch.IsId(id) ? await reads.EverythingAsync(context, id, ct) : FhirOutcomes.NotFound();
    }

    private const string DirectoryReadsOnly = "A consent directory reads Patients (by identifier), Consents and Organizations only.";

    /// <summary>
    /// Consent decision services write an AuditEvent per decision where the server takes one. This one does not: every
    /// read it answers is already in its own disclosure log, and it stores nothing a caller makes up about others.
    /// </summary>
    private static IResult AuditEventNotAccepted(HttpContext http)
    {
        http.Response.Headers[RequestIdHeader] = http.TraceIdentifier;
        return FhirOutcomes.Result(StatusCodes.Status405MethodNotAllowed, Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported,
            "This server does not accept AuditEvent resources: it records every read it answers in its own disclosure log. Treat the write as optional.");
    }

    private static async Task<IResult> Create(string type, HttpContext http, FhirWrites writes, IConfiguration configuration, CancellationToken ct)
    {
        var (caller, body, refused) = await WriteContextAsync(http, type, SmartScopes.Create, configuration, ct);
        return refused ?? await writes.CreateAsync(caller!, type, body!, ct);
    }

    private static async Task<IResult> Update(string type, string id, HttpContext http, FhirWrites writes, IConfiguration configuration, CancellationToken ct)
    {
        var (caller, body, refused) = await WriteContextAsync(http, type, SmartScopes.Update, configuration, ct);
        if (refused is not null)
        {
            return refused;
        }

        return FhirSearch.IsId(id)
            ? await writes.UpdateAsync(caller!, type, id, body!, http.Request.Headers.IfMatch.FirstOrDefault(), ct)
            : FhirOutcomes.NotFound();
    }

    /// <summary>Who reads and why (parsed from the request, then judged by Sharing/); or the answer that refuses the read first.</summary>
    private static async Task<(ReadContext? Context, IResult? Refused)> ReadContextAsync(HttpContext http, string type, char permission,
        CancellationToken ct)
    {
        http.Response.Headers[RequestIdHeader] = http.TraceIdentifier;
        var (caller, refused) = Authorize(http, type, permission);
        if (refused is not null)
        {
            return (null, refused);
        }

        var vocabulary = http.RequestServices.GetRequiredService<VocabularyCatalogue>();
        var (request, invalid) = FhirReadRequest.TryParse(http.Request, caller!, vocabulary);
        if (invalid is not null)
        {
            return (null, invalid);
        }

        var context = await http.RequestServices.GetRequiredService<ReadContexts>().OpenAsync(request!, http.TraceIdentifier, ct);
        return context is null ? (null, FhirOutcomes.Forbidden("Your agency is not active on this platform.")) : (context, null);
    }

    private static async Task<(FhirCaller? Caller, string? Body, IResult? Refused)> WriteContextAsync(HttpContext http, string type, char permission,
        IConfiguration configuration, CancellationToken ct)
    {
        http.Response.Headers[RequestIdHeader] = http.TraceIdentifier;
        var (caller, refused) = Authorize(http, type, permission);
        if (refused is not null)
        {
            return (null, null, refused);
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var media)
            || media.MediaType.Value is not ("application/fhir+json" or "application/json")
            || (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, null, FhirOutcomes.UnsupportedMediaType());
        }

        var limit = configuration.GetValue<long?>("Kestrel:Limits:MaxRequestBodySize") ?? 1_048_576;
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return (null, null, FhirOutcomes.TooLarge(limit));
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, null, FhirOutcomes.TooLarge(limit));
        }

        string body;
        try
        {
            body = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            return (null, null, FhirOutcomes.Invalid("The body is not UTF-8 text."));
        }

        return (caller, body, null);
    }

    private static (FhirCaller? Caller, IResult? Refused) Authorize(HttpContext http, string type, char permission)
    {
        if (FhirCaller.From(ApiCaller.From(http.User)) is not { } caller)
        {
            return (null, FhirOutcomes.Forbidden("/fhir is for agency systems (client credentials with SMART system scopes)."));
        }

        if (!FhirModel.IsWritable(type))
        {
            return (null, FhirOutcomes.UnknownType());
        }

        if (caller.IsConsentDirectory && (permission is SmartScopes.Create or SmartScopes.Update || !ConsentDirectoryReads.Reads(type)))
        {
            return (null, FhirOutcomes.Forbidden(DirectoryReadsOnly));
        }

        return SmartScopes.Allow(http.User, type, permission)
            ? (caller, null)
            : (null, FhirOutcomes.Forbidden($"The token's scopes do not allow this on {type} (needs system/{type}.{permission} or system/*.{permission})."));
    }
}
