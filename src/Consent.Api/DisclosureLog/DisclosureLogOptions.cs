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
}
