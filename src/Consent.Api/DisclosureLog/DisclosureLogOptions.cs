using System.ComponentModel.DataAnnotations;

namespace Consent.Api.DisclosureLog;

/// <summary>Section <c>DisclosureLog</c>: how many appends may wait, and how many one commit takes.</summary>
public sealed class DisclosureLogOptions
{
    public const string Section = "DisclosureLog";

    /// <summary>Appends waiting for the writer; beyond this, callers wait for room (backpressure).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Most entries committed in one transaction. 1 turns group commit off (one transaction per entry).</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>
    /// On SQLite, the WAL size in pages past which a commit copies the WAL into the database file
    /// (<c>wal_autocheckpoint</c> on every connection; SQLite's default is 1000). Every commit is durable
    /// whatever this is (the WAL is fsynced at each commit); a checkpoint fsyncs the WAL and the database file again
    /// and runs inside the commit that crosses the size, nearly always the log writer's, so fewer, larger checkpoints
    /// take less from the appends, and other writes do not run one.
    /// </summary>
    [Range(100, 1_000_000)]
    public int CheckpointPages { get; set; } = 8000;
}
