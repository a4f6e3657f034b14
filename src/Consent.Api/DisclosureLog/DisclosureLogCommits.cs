using System.Threading.Channels;

namespace Consent.Api.DisclosureLog;

/// <summary>
/// Tells the one follower of the log (the tree integrator) that the writer committed entries. Signalling is a
/// non-blocking write to a one-slot channel that drops the signal when one is already pending, so it costs the
/// writer's commit path next to nothing and never makes it wait; the follower reads whatever was committed since.
/// </summary>
public sealed class DisclosureLogCommits
{
    private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
        SingleWriter = false,
    });

    private Task<bool>? waiting;

    /// <summary>Entries were committed (called by the writer).</summary>
    public void Committed() => signal.Writer.TryWrite(true);

    /// <summary>
    /// Waits until entries are committed, or <paramref name="timeout"/> passes. Single reader: one follower calls
    /// this at a time. Returns true when signalled.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (signal.Reader.TryRead(out _))
        {
            return true;
        }

        // One wait kept across calls, so a timed-out wait is not left behind for every turn of the follower's loop.
        if (waiting is null || waiting.IsCompleted)
        {
            waiting = signal.Reader.WaitToReadAsync(cancellationToken).AsTask();
        }

        try
        {
            await waiting.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }

        return signal.Reader.TryRead(out _);
    }
}
