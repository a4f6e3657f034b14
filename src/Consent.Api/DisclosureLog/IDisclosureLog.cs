namespace Consent.Api.DisclosureLog;

/// <summary>
/// The append-only disclosure log. Every decision on a read is appended before any data leaves; the task
/// completes only once the entry is durably committed, with its sequence number and chain hash.
/// </summary>
public interface IDisclosureLog
{
    /// <summary>
    /// Appends the decision and waits for its durable commit. Throws <see cref="DisclosureLogUnavailableException"/>
    /// when the entry could not be made durable: the caller must then disclose nothing. Cancelling stops the wait
    /// (or the wait for a place in the queue); an entry already queued is still recorded, since the decision was made.
    /// </summary>
    Task<DisclosureEntry> AppendAsync(DisclosureDraft draft, CancellationToken cancellationToken);
}

public static class DisclosureLogAppends
{
    /// <summary>
    /// Appends every draft and waits until all are durable: true when they are; false when the log could not record
    /// them, and then the caller must disclose nothing.
    /// </summary>
    public static async Task<bool> TryAppendAllAsync(this IDisclosureLog log, IEnumerable<DisclosureDraft> drafts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            await Task.WhenAll(drafts.Select(d => log.AppendAsync(d, cancellationToken)));
            return true;
        }
        catch (DisclosureLogUnavailableException)
        {
            return false;
        }
    }
}

/// <summary>The log could not make an entry durable (or is shutting down); nothing may be disclosed.</summary>
public sealed class DisclosureLogUnavailableException : Exception
{
    public DisclosureLogUnavailableException()
        : base("The disclosure log could not record the entry.")
    {
    }

    public DisclosureLogUnavailableException(string message)
        : base(message)
    {
    }

    public DisclosureLogUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
