using Consent.Api.Auth;
using Consent.Api.Sharing;
using Consent.Api.Storage;

namespace Consent.Api.Fhir;

/// <summary>
/// <c>GET /bench/bare/{type}/{id}</c>: the baseline of bench/FhirRead.Bench, mapped only when <c>Bench:BareRead</c> is true
/// (never in a deployment). It does what an authorized FHIR read cannot avoid — validate the same token, load the same
/// stored record by type and id, write its stored JSON as <c>application/fhir+json</c> — and nothing the sharing rule
/// adds: no purpose of use, no survivor facts, no policy decision, no disclosure-log entry. The benchmark compares the
/// throughput of <c>GET /fhir/{type}/{id}</c> with this endpoint's, measured in the same run on the same machine, so
/// the ratio says what the policy-gated read costs over the plain one. It discloses records to any valid token: that
/// is why it is off by default and must stay off outside a benchmark.
/// </summary>
public static class BareReadBenchmark
{
    public const string Setting = "Bench:BareRead";

    public static IEndpointRouteBuilder MapBareReadBenchmark(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool>(Setting))
        {
            return app;
        }

        app.MapGet("/bench/bare/{type}/{id}", Read).RequireAuthorization().ExcludeFromDescription();
        // The same without the live-caller check (is the token still active at the provider, is the agency active):
        // the baseline that says what that check costs.
        app.MapGet("/bench/bare-unchecked/{type}/{id}", Read).RequireAuthorization().WithMetadata(new SkipLiveCallerCheck()).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> Read(string type, string id, ConsentDb db, CancellationToken ct)
    {
        // The record by the same (hand-written) statement the authorized read makes, so neither side is flattered.
        var record = await ReadCandidates.CandidateByIdAsync(db, type, id, ct);
        return record is null ? Results.NotFound() : Results.Text(record.Json, FhirModel.ContentType);
    }
}
