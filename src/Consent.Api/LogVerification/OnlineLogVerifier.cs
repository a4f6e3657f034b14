using System.Data.Common;
using System.Text.Json;
using Consent.Api.Caller;
using Consent.Api.DisclosureLog;
using Consent.Api.Problems;
using Consent.Api.Storage;
using Consent.Log.TreeHeads;
using Consent.Log.Verification;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Consent.Api.LogVerification;

/// <summary>A request body as the endpoint read it: its content type and bytes, or that it was longer than allowed.</summary>
public sealed record PostedBody(string? ContentType, byte[] Bytes, bool TooLarge);

/// <summary>
/// Runs <see cref="LogVerifier"/> over the API's own database while the API runs: every entry rehashed, the tree
/// recomputed against its stored rows, every stored tree head (and any head the caller posts) checked against the keys
/// stored in <c>DisclosureLogKeys</c>. It reads on read-only connections of its own (to the SQLite file, or to the
/// PostgreSQL database with the API's connection string, in read-only sessions), never the writer's, so the log keeps
/// being appended to while it runs (entries below the sizes read first never change). One check at a time: it reads
/// the whole log.
/// </summary>
public sealed partial class OnlineLogVerifier(
    IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider time, IHostApplicationLifetime lifetime,
    ILogger<OnlineLogVerifier> logger) : IDisposable
{
    /// <summary>Failures listed in a report (all are counted).</summary>
    public const int FailuresReported = 10;

    /// <summary>The largest body accepted: about 200 tree heads.</summary>
    public const int MaximumBodyBytes = 64 * 1024;

    /// <summary>Tree heads one request may post.</summary>
    public const int MaximumPostedHeads = 100;

    private readonly SemaphoreSlim running = new(1, 1);
    private LastLogVerification? last;

    /// <summary>The outcome of the last check since the API started, or null.</summary>
    public LastLogVerification? Last => Volatile.Read(ref last);

    /// <summary>How long a caller refused because a check is running should wait: about as long as the last check took.</summary>
    public TimeSpan RetryAfter => TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling((Last?.ElapsedMs ?? 1000) / 1000.0), 1, 3600));

    /// <summary>
    /// Takes the one slot for a check; null when a check is running. Disposing the lease gives it back.
    /// </summary>
    public IDisposable? TryBegin() => running.Wait(0) ? new Lease(running) : null;

    public async Task<Outcome<LogVerificationReport>> VerifyAsync(ApiCaller caller, IQueryCollection sent, PostedBody body)
    {
        if (!caller.IsCompliance)
        {
            return ProblemCatalogue.Forbidden;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        QueryParameters.Check(sent, [], errors);
        if (errors.Count > 0)
        {
            return new Problem(ProblemCatalogue.InvalidRequest, null, errors);
        }

        var heads = ReadHeads(body);
        if (heads.Problem is { } invalid)
        {
            return invalid;
        }

        Func<LogVerifierOptions, LogVerificationResult> verify;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            if (db.Database.IsNpgsql() && configuration.GetConnectionString("Consent") is { } postgres)
            {
                verify = options => LogVerifier.VerifyPostgres(postgres, options, lifetime.ApplicationStopping);
            }
            else if (db.Database.IsSqlite() && ReadOnly(db.Database.GetConnectionString()) is { } readOnly)
            {
                verify = options =>
                {
                    using var connection = new SqliteConnection(readOnly);
                    connection.Open();
                    return LogVerifier.Verify(connection, options, lifetime.ApplicationStopping);
                };
            }
            else
            {
                return ProblemCatalogue.OnlineVerificationNeedsSqlite;
            }
        }

        using var lease = TryBegin();
        if (lease is null)
        {
            return ProblemCatalogue.LogVerificationRunning;
        }

        var startedAt = time.GetUtcNow();
        LogVerificationResult result;
        try
        {
            // The verifier reads synchronously: off the request's thread.
            result = await Task.Run(() => verify(new LogVerifierOptions
            {
                TrustedHeads = heads.Value!,
                MaxFailures = FailuresReported,
                MaxParallelism = 1,
            }), lifetime.ApplicationStopping);
        }
        catch (Exception e) when (e is LogDatabaseException or DbException)
        {
            LogUnreadable(logger, e);
            return ProblemCatalogue.LogVerificationUnavailable;
        }

        var report = Report(result, startedAt, heads.Value!.Count);
        var first = result.FirstFailure;
        Volatile.Write(ref last, new LastLogVerification(
            startedAt, result.Holds, result.LogSize, result.FailureCount, first?.Kind, first?.Sequence, report.ElapsedMs));
        if (result.Holds)
        {
            LogHolds(logger, caller.Subject, result.LogSize, report.ElapsedMs);
        }
        else
        {
            LogDoesNotHold(logger, caller.Subject, result.LogSize, result.FailureCount, first!.Kind, first.Sequence, first.HeadId);
        }

        return report;
    }

    public void Dispose() => running.Dispose();

    /// <summary>A read-only, unpooled connection string to the same database file; null when it is not a file.</summary>
    private static string? ReadOnly(string? connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString ?? "");
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            return null;
        }

        builder.Mode = SqliteOpenMode.ReadOnly;
        builder.Pooling = false;
        return builder.ToString();
    }

    /// <summary>
    /// The tree heads in the body: nothing (no heads), or a JSON array of tree heads as <c>GET /api/log/tree-head</c>
    /// answers them (<c>treeSize</c>, <c>timestamp</c>, <c>rootHash</c>, <c>keyId</c>, <c>signature</c>).
    /// </summary>
    private static Outcome<IReadOnlyList<TrustedTreeHead>> ReadHeads(PostedBody body)
    {
        if (body.TooLarge)
        {
            return new Problem(ProblemCatalogue.RequestTooLarge, $"Send at most {MaximumBodyBytes} bytes ({MaximumPostedHeads} tree heads).");
        }

        if (body.Bytes.Length == 0)
        {
            return new List<TrustedTreeHead>();
        }

        if (body.ContentType is not { } type || !type.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return ProblemCatalogue.UnsupportedMediaType;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Bytes);
        }
        catch (JsonException)
        {
            return ProblemCatalogue.MalformedRequest;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return ProblemCatalogue.Invalid("trustedHeads", "The body is a JSON array of tree heads, as GET /api/log/tree-head answers them.");
            }

            if (document.RootElement.GetArrayLength() > MaximumPostedHeads)
            {
                return ProblemCatalogue.Invalid("trustedHeads", $"Post at most {MaximumPostedHeads} tree heads.");
            }

            var heads = new List<TrustedTreeHead>();
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var position = heads.Count + errors.Count + 1;
                try
                {
                    heads.Add(new TrustedTreeHead("#" + position, TreeHeadJson.Parse(element.GetRawText())));
                }
                catch (FormatException e)
                {
                    errors[$"trustedHeads[{position - 1}]"] = [e.Message];
                }
            }

            return errors.Count > 0 ? new Problem(ProblemCatalogue.InvalidRequest, null, errors) : heads;
        }
    }

    private static LogVerificationReport Report(LogVerificationResult result, DateTimeOffset startedAt, int postedHeads) => new(
        result.Holds, startedAt, (long)result.Elapsed.TotalMilliseconds, result.EntriesChecked, result.LogSize, result.TreeSize,
        result.HeadsChecked, postedHeads, "stored", result.FailureCount,
        result.Failures.Take(FailuresReported).Select(f => new LogFailureView(
            f.Kind, f.Sequence, f.HeadId, f.TrustedHead is { } name ? int.Parse(name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) : null,
            f.Message, f.Expected, f.Found)).ToList());

    private sealed class Lease(SemaphoreSlim slot) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                slot.Release();
            }
        }
    }

    [LoggerMessage(EventId = 4851, Level = LogLevel.Information, Message = "Disclosure log verified online on request of {Subject}: {LogSize} entries hold ({ElapsedMs} ms)")]
    private static partial void LogHolds(ILogger logger, string subject, long logSize, long elapsedMs);

    [LoggerMessage(EventId = 4852, Level = LogLevel.Error,
        Message = "Disclosure log does NOT verify (online check on request of {Subject}, {LogSize} entries): {FailureCount} failures, the first {Kind} at entry {Sequence} / head {HeadId}")]
    private static partial void LogDoesNotHold(ILogger logger, string subject, long logSize, long failureCount, LogFailureKind kind, long? sequence, long? headId);

    [LoggerMessage(EventId = 4853, Level = LogLevel.Error, Message = "Disclosure log could not be read for the online check")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
