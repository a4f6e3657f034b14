using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Consent.Log.TreeHeads;

namespace Consent.Cli.LogAudit;

/// <summary>An answer of the API that is not what was asked for: its status and, for a ProblemDetails, its type.</summary>
internal sealed record RefusedAnswer(HttpStatusCode Status, string? ProblemType)
{
    public override string ToString() =>
        ProblemType is null ? $"HTTP {(int)Status}" : $"HTTP {(int)Status}, {ProblemType}";
}

/// <summary>The tree head and proof endpoints of Consent.Api, read with an access token.</summary>
internal sealed class TreeHeadApi(HttpClient http, Uri baseUrl, string token)
{
    public Uri BaseUrl => baseUrl;

    /// <summary>The latest signed tree head. Anything else than a head is unusable: the audit cannot start.</summary>
    public async Task<TreeHead> LatestHeadAsync(CancellationToken cancellationToken)
    {
        var (body, refused) = await GetAsync("api/log/tree-head", cancellationToken);
        if (refused is not null)
        {
            throw new CommandFailed(refused.ProblemType?.EndsWith("/no-tree-head", StringComparison.Ordinal) == true
                ? "The log is empty: no tree head has been signed yet."
                : $"The API did not answer a tree head ({refused}).");
        }

        try
        {
            return TreeHeadJson.Parse(body!);
        }
        catch (FormatException e)
        {
            throw new CommandFailed($"The API's answer is not a tree head: {e.Message}");
        }
    }

    /// <summary>The consistency proof between two signed sizes, or why the API refused it.</summary>
    public async Task<(IReadOnlyList<byte[]>? Proof, string? Problem)> ConsistencyAsync(long from, long to, CancellationToken cancellationToken)
    {
        var (body, refused) = await GetAsync(
            string.Create(CultureInfo.InvariantCulture, $"api/log/proofs/consistency?from={from}&to={to}"), cancellationToken);
        if (refused is not null)
        {
            return (null, $"the API refused the proof ({refused})");
        }

        return Read(body!, root =>
            Number(root, "first") == from && Number(root, "second") == to
                ? Hashes(root, "consistency")
                : throw new FormatException($"it is a proof for other sizes than {from} and {to}"));
    }

    /// <summary>The inclusion proof of a leaf in the tree of a signed size, with the leaf hash the API has, or why the API refused it.</summary>
    public async Task<(IReadOnlyList<byte[]>? Proof, string? Problem)> InclusionAsync(long leaf, long treeSize, CancellationToken cancellationToken)
    {
        var (body, refused) = await GetAsync(
            string.Create(CultureInfo.InvariantCulture, $"api/log/proofs/inclusion?leaf={leaf}&treeSize={treeSize}"), cancellationToken);
        if (refused is not null)
        {
            return (null, $"the API refused the proof ({refused})");
        }

        return Read(body!, root =>
            Number(root, "leafIndex") == leaf && Number(root, "treeSize") == treeSize
                ? Hashes(root, "auditPath")
                : throw new FormatException($"it is a proof for another leaf or size than {leaf} in {treeSize}"));
    }

    private static (IReadOnlyList<byte[]>?, string?) Read(string body, Func<JsonElement, IReadOnlyList<byte[]>> read)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return (read(document.RootElement), null);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            return (null, "the API's answer is not a proof: " + e.Message);
        }
    }

    private static long Number(JsonElement root, string name) => root.GetProperty(name).GetInt64();

    private static List<byte[]> Hashes(JsonElement root, string name) =>
        root.GetProperty(name).EnumerateArray().Select(hash => hash.GetString() is { Length: 64 } hex
            ? Convert.FromHexString(hex)
            : throw new FormatException($"\"{name}\" holds something that is not a 64-digit hash")).ToList();

    private async Task<(string? Body, RefusedAnswer? Refused)> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CommandFailed($"The API at {baseUrl} cannot be reached: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailed($"The API at {baseUrl} did not answer in time.");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    return (body, null);
                case HttpStatusCode.Unauthorized:
                    throw new CommandFailed("The API refused the access token (401): it is missing, expired or not for this API. Get a new one.");
                case HttpStatusCode.Forbidden:
                    throw new CommandFailed("The API refused this caller (403).");
                default:
                    return (null, new RefusedAnswer(response.StatusCode, ProblemType(body)));
            }
        }
    }

    private static string? ProblemType(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
