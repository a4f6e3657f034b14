using System.ComponentModel.DataAnnotations;

namespace Consent.Api.DisclosureTree;

/// <summary>Section <c>DisclosureTree</c>: how the log's Merkle tree is kept up to date and its heads signed.</summary>
public sealed class DisclosureTreeOptions
{
    public const string Section = "DisclosureTree";

    /// <summary>
    /// The tree-head signing key, a PKCS#8 PEM file (ECDSA P-256). A relative path is resolved against the data
    /// directory (<c>Storage:DataDirectory</c>). On SQLite it is created on first start; on PostgreSQL it must exist
    /// (the same key for every instance), unless <see cref="SigningKeyPem"/> is given.
    /// </summary>
    [Required]
    public string SigningKeyFile { get; set; } = Path.Combine("keys", "disclosure-log-signing.pem");

    /// <summary>The tree-head signing key itself (PKCS#8 PEM, ECDSA P-256), e.g. from a secret store; used instead of <see cref="SigningKeyFile"/> when set.</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>
    /// On PostgreSQL: how often an instance that does not lead the integrator and signer tries to take over, and how
    /// often the leader checks the connection that holds its lease.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan LeaderPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a tree head is signed, when the tree has grown since the last one.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SigningInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the integrator looks for new entries when no commit woke it (a fallback).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan IntegrationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The least time between two passes of the integrator, so that under load many commits go into one of its
    /// transactions instead of each taking SQLite's write lock from the log's writer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan IntegrationPause { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Most leaves added to the tree in one transaction.</summary>
    [Range(1, 1_000_000)]
    public int IntegrationBatchSize { get; set; } = 8192;
}
