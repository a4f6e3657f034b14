using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Consent.Api.Agencies;

/// <summary>
/// Whether an agency may act on the platform at all (it exists and a platform admin has not deactivated it), asked for
/// every request made for an agency. Answers are remembered for <see cref="Lifetime"/>; this instance forgets an
/// agency at once when it changes, other instances within that lifetime.
/// </summary>
public sealed class ActiveAgencies(IServiceScopeFactory scopes, IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public async ValueTask<bool> IsActiveAsync(string agencyId, CancellationToken cancellationToken)
    {
        var key = (typeof(ActiveAgencies), agencyId);
        if (cache.TryGetValue(key, out bool active))
        {
            return active;
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
            active = await db.Agencies.AsNoTracking().AnyAsync(a => a.Id == agencyId && a.Active, cancellationToken);
        }

        cache.Set(key, active, Lifetime);
        return active;
    }

    public void Forget(string agencyId) => cache.Remove((typeof(ActiveAgencies), agencyId));
}
