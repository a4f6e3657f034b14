using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Consent.Api.Storage;

/// <summary>
/// Which instance of a deployment runs work that must run once. On PostgreSQL the leader is the instance whose own
/// connection holds a session-level advisory lock (<c>pg_try_advisory_lock</c>). The others try again every poll
/// interval and take over once the leader's session ends: its host stopped, or its process died and the server
/// closed its connection. The leader checks its connection on the same interval and steps down at once when it is
/// lost. With no connection string (SQLite: one instance) this instance leads from the start and never stops.
/// </summary>
public sealed partial class LeaderLease : BackgroundService, IHealthCheck
{
    private readonly string work;
    private readonly long lockKey;
    private readonly string? connectionString;
    private readonly TimeSpan pollInterval;
    private readonly TimeProvider time;
    private readonly ILogger<LeaderLease> logger;
    private readonly Lock sync = new();
    private volatile TaskCompletionSource<CancellationToken> leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? term;

    /// <param name="work">What the leader runs, for the log (e.g. "disclosure tree").</param>
    /// <param name="lockKey">The advisory lock's key, one per kind of work.</param>
    /// <param name="connectionString">The shared PostgreSQL database; null when this instance is the only one.</param>
    public LeaderLease(string work, long lockKey, string? connectionString, TimeSpan pollInterval, TimeProvider time, ILogger<LeaderLease> logger)
    {
        this.work = work;
        this.lockKey = lockKey;
        this.pollInterval = pollInterval;
        this.time = time;
        this.logger = logger;
        if (connectionString is null)
        {
            leading.SetResult(CancellationToken.None);
        }
        else
        {
            // Its own physical connection: the lock lives exactly as long as this session.
            this.connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, TcpKeepAlive = true }.ConnectionString;
        }
    }

    /// <summary>True while this instance leads.</summary>
    public bool IsLeader => leading.Task.IsCompletedSuccessfully;

    /// <summary>
    /// Runs <paramref name="leaderWork"/> each time this instance becomes the leader, with a token cancelled when it
    /// stops leading; returns when the host stops, or when the work returns by itself while still leading.
    /// </summary>
    public async Task WhileLeadingAsync(Func<CancellationToken, Task> leaderWork, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(leaderWork);
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken stepDown;
            try
            {
                stepDown = await leading.Task.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            using var whileLeading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, stepDown);
            try
            {
                await leaderWork(whileLeading.Token);
            }
            catch (OperationCanceledException) when (whileLeading.IsCancellationRequested)
            {
            }

            if (!stepDown.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy(IsLeader ? "leader" : "standby"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (connectionString is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                while (!await ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({lockKey})", stoppingToken))
                {
                    await Task.Delay(pollInterval, time, stoppingToken);
                }

                BecomeLeader();
                while (true)
                {
                    await Task.Delay(pollInterval, time, stoppingToken);
                    await ScalarAsync<int>(connection, "SELECT 1", stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                // The connection failed, timed out or was closed by the server: the lock may be someone else's by now.
                LogConnectionLost(logger, work, e);
            }
            finally
            {
                StepDown();
            }

            await Task.Delay(pollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void BecomeLeader()
    {
        lock (sync)
        {
            term = new CancellationTokenSource();
            leading.TrySetResult(term.Token);
        }

        LogBecameLeader(logger, work);
    }

    private void StepDown()
    {
        CancellationTokenSource? ended;
        lock (sync)
        {
            ended = term;
            term = null;
            if (ended is not null)
            {
                leading = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (ended is not null)
        {
            LogSteppedDown(logger, work);
            // Not disposed: a leader's work may still be linking to its token.
            ended.Cancel();
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(EventId = 4861, Level = LogLevel.Information, Message = "This instance now leads the {Work}")]
    private static partial void LogBecameLeader(ILogger logger, string work);

    [LoggerMessage(EventId = 4862, Level = LogLevel.Information, Message = "This instance no longer leads the {Work}")]
    private static partial void LogSteppedDown(ILogger logger, string work);

    [LoggerMessage(EventId = 4863, Level = LogLevel.Warning, Message = "The leader lease's connection for the {Work} failed; it is opened again")]
    private static partial void LogConnectionLost(ILogger logger, string work, Exception exception);
}
