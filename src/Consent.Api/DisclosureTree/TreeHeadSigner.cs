using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Consent.Api.DisclosureTree;

/// <summary>
/// Issues signed tree heads: every <see cref="DisclosureTreeOptions.SigningInterval"/> when the tree has grown since
/// the last head, and on demand. A head always covers the tree as integrated right before it is signed (the
/// integrator is run first, so it covers every committed entry). Heads are issued one at a time, so their ids,
/// sizes and timestamps never go backwards. On a shared database only the instance holding the
/// <see cref="LeaderLease"/> signs on the interval; every instance signs on demand, each head under the tree's lock
/// (see <see cref="DisclosureTreeLock"/>), and every instance publishes its key at start.
/// </summary>
public sealed partial class TreeHeadSigner(
    IServiceScopeFactory scopes, DisclosureTreeIntegrator integrator, TreeSigningKey key, LeaderLease lease,
    IOptions<DisclosureTreeOptions> options, TimeProvider time, ILogger<TreeHeadSigner> logger) : BackgroundService
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private bool keyRegistered;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RegisterKeyAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Tried again before the first head is signed.
            LogSigningFailed(logger, e);
        }

        await lease.WhileLeadingAsync(SignContinuallyAsync, stoppingToken);
    }

    /// <summary>Signs on the interval until <paramref name="stoppingToken"/> or the tree halts.</summary>
    private async Task SignContinuallyAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SigningInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SignAsync(onlyIfGrown: true, stoppingToken);
                }
                catch (DisclosureTreeHaltedException)
                {
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSigningFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Integrates every committed entry, then signs a head over the tree. Null when the log is empty (there is
    /// nothing to sign). Throws <see cref="DisclosureTreeHaltedException"/> when the tree disagrees with the log.
    /// </summary>
    public Task<StoredTreeHead?> SignAsync(CancellationToken cancellationToken) => SignAsync(onlyIfGrown: false, cancellationToken);

    /// <summary>As <see cref="SignAsync(CancellationToken)"/>, but only when the tree has grown since the latest head; null otherwise.</summary>
    public Task<StoredTreeHead?> SignIfGrownAsync(CancellationToken cancellationToken) => SignAsync(onlyIfGrown: true, cancellationToken);

    private async Task<StoredTreeHead?> SignAsync(bool onlyIfGrown, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var tree = await integrator.IntegrateAsync(cancellationToken);
            if (tree.Size == 0)
            {
                return null;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            await using var transaction = await DisclosureTreeLock.BeginAsync(db, cancellationToken);
            var latest = await db.TreeHeads.AsNoTracking().OrderByDescending(h => h.Id).FirstOrDefaultAsync(cancellationToken);
            if (latest is not null && (latest.TreeSize > tree.Size || (onlyIfGrown && latest.TreeSize == tree.Size)))
            {
                // Not grown since the latest head; or another instance signed a larger tree meanwhile, and that head
                // covers every entry this one would.
                return onlyIfGrown ? null : latest;
            }

            await RegisterKeyAsync(db, cancellationToken);
            // Never earlier than the head before, even if the clock stepped back.
            var timestamp = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), latest?.Timestamp ?? 0);
            var head = new StoredTreeHead(tree.Size, timestamp, tree.RootHash, key.KeyId, key.Sign(timestamp, tree.Size, tree.RootHash));
            db.TreeHeads.Add(head);
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            keyRegistered = true;
            LogSigned(logger, head.Id, head.TreeSize, key.KeyId);
            return head;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task RegisterKeyAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            await using var transaction = await DisclosureTreeLock.BeginAsync(db, cancellationToken);
            await RegisterKeyAsync(db, cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }

            keyRegistered = true;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Publishes the signing key's public key (once; the caller marks it registered after its commit): a head is never
    /// stored under a key that is not. Under the tree's lock, so instances starting together with one key register it once.
    /// </summary>
    private async Task RegisterKeyAsync(ConsentDb db, CancellationToken cancellationToken)
    {
        if (keyRegistered)
        {
            return;
        }

        if (!await db.DisclosureLogKeys.AnyAsync(k => k.KeyId == key.KeyId, cancellationToken))
        {
            db.DisclosureLogKeys.Add(new DisclosureLogKey(key.KeyId, key.PublicKey, time.GetUtcNow().ToUnixTimeMilliseconds()));
            await db.SaveChangesAsync(cancellationToken);
            LogKeyRegistered(logger, key.KeyId);
        }
    }

    [LoggerMessage(EventId = 4831, Level = LogLevel.Information, Message = "Tree head {Id} signed: {TreeSize} leaves, key {KeyId}")]
    private static partial void LogSigned(ILogger logger, long id, long treeSize, string keyId);

    [LoggerMessage(EventId = 4832, Level = LogLevel.Information, Message = "Disclosure log signing key {KeyId} registered")]
    private static partial void LogKeyRegistered(ILogger logger, string keyId);

    [LoggerMessage(EventId = 4833, Level = LogLevel.Warning, Message = "Signing a tree head failed; it is tried again")]
    private static partial void LogSigningFailed(ILogger logger, Exception exception);
}
