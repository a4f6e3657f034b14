using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Consent.Identity.Security;

/// <summary>
/// Sign-in attempts per account name, in fixed one-minute windows, beside the per-address limit: colleagues behind one
/// office address each keep their own attempts, while one account cannot be guessed at faster than the limit from any
/// number of addresses. Keyed by the name as typed (case-insensitively), whether or not such an account exists, so
/// the limit says nothing about who has an account.
/// </summary>
public sealed class AccountAttemptLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(name =>
        RateLimitPartition.GetFixedWindowLimiter(name, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.LoginPerAccountPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public bool TryAcquire(string userName)
    {
        using var lease = limiter.AttemptAcquire(userName.Trim().ToUpperInvariant());
        return lease.IsAcquired;
    }

    public void Dispose() => limiter.Dispose();
}
