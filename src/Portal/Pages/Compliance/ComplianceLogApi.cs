using System.Globalization;
using Consent.Portal.ConsentApi;
using Microsoft.AspNetCore.WebUtilities;

namespace Consent.Portal.Pages.Compliance;

/// <summary>
/// The consent API's disclosure log calls the compliance console makes, as the signed-in officer. Paths and query names
/// are the API's (src/Consent.Api/DisclosureLog, DisclosureTree, LogVerification, Compliance/DisclosureExports).
/// </summary>
internal static class ComplianceLogApi
{
    public const string CsvExportPath = "api/compliance/exports/disclosures.csv";
    public const string AuditEventsExportPath = "api/compliance/exports/audit-events";

    /// <summary>A page of the log search, from just after <paramref name="after"/> when given.</summary>
    public static Task<ApiAnswer<DisclosureLogPage>> SearchLogAsync(
        this ConsentApiClient api, IReadOnlyDictionary<string, string> filters, int limit, long? after, CancellationToken cancellationToken)
    {
        var query = new Dictionary<string, string?>(filters.Select(f => KeyValuePair.Create(f.Key, (string?)f.Value)), StringComparer.Ordinal)
        {
            ["limit"] = limit.ToString(CultureInfo.InvariantCulture),
        };
        if (after is { } cursor)
        {
            query["after"] = cursor.ToString(CultureInfo.InvariantCulture);
        }

        return api.GetAsync<DisclosureLogPage>(QueryHelpers.AddQueryString("api/disclosures", query), cancellationToken);
    }

    /// <summary>One entry with its leaf; refused as <c>disclosure-entry-not-found</c> when there is none.</summary>
    public static Task<ApiAnswer<LogEntryView>> GetLogEntryAsync(this ConsentApiClient api, long sequence, CancellationToken cancellationToken) =>
        api.GetAsync<LogEntryView>($"api/log/entries/{sequence.ToString(CultureInfo.InvariantCulture)}", cancellationToken);

    /// <summary>The latest signed tree head; refused as <c>no-tree-head</c> while the log is empty.</summary>
    public static Task<ApiAnswer<TreeHeadView>> GetTreeHeadAsync(this ConsentApiClient api, CancellationToken cancellationToken) =>
        api.GetAsync<TreeHeadView>("api/log/tree-head", cancellationToken);

    /// <summary>The audit path of the entry's leaf in the signed tree of <paramref name="treeSize"/> leaves.</summary>
    public static Task<ApiAnswer<InclusionProofView>> GetInclusionProofAsync(
        this ConsentApiClient api, long leafIndex, long treeSize, CancellationToken cancellationToken) =>
        api.GetAsync<InclusionProofView>(
            $"api/log/proofs/inclusion?leaf={leafIndex.ToString(CultureInfo.InvariantCulture)}&treeSize={treeSize.ToString(CultureInfo.InvariantCulture)}",
            cancellationToken);

    /// <summary>Checks the whole log now (no saved tree heads are posted: the API checks against the heads it stored).</summary>
    public static Task<ApiAnswer<LogVerificationReport>> VerifyLogAsync(this ConsentApiClient api, CancellationToken cancellationToken) =>
        api.SendAsync<LogVerificationReport>(HttpMethod.Post, "api/log/verify", body: null, cancellationToken);

    /// <summary>Brings every committed entry into the tree and signs a head over it now.</summary>
    public static Task<ApiAnswer<TreeHeadView>> SignTreeHeadAsync(this ConsentApiClient api, CancellationToken cancellationToken) =>
        api.SendAsync<TreeHeadView>(HttpMethod.Post, "api/log/tree-heads", body: null, cancellationToken);

    public static Task<ApiAnswer<List<AgencyView>>> GetAgenciesAsync(this ConsentApiClient api, CancellationToken cancellationToken) =>
        api.GetAsync<List<AgencyView>>("api/agencies", cancellationToken);

    /// <summary>An export of the filtered log, as the API wrote it.</summary>
    public static Task<ApiAnswer<ApiDownload>> ExportAsync(
        this ConsentApiClient api, string path, IReadOnlyDictionary<string, string> filters, CancellationToken cancellationToken) =>
        api.DownloadAsync(QueryHelpers.AddQueryString(path, filters.Select(f => KeyValuePair.Create(f.Key, (string?)f.Value))), cancellationToken);

    /// <summary>The <c>after</c> cursor of the API's next-page link, if it has one.</summary>
    public static long? NextCursor(DisclosureLogPage page)
    {
        if (page.Next is not { } next || next.IndexOf('?', StringComparison.Ordinal) is var mark && mark < 0)
        {
            return null;
        }

        var query = QueryHelpers.ParseQuery(next[mark..]);
        return query.TryGetValue("after", out var after) &&
               long.TryParse(after.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var cursor)
            ? cursor
            : null;
    }
}
