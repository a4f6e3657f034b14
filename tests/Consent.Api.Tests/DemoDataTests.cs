using Consent.Api.Demo;
using Consent.Api.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Api.Tests;

/// <summary>The demo seed adds what is missing and nothing twice.</summary>
public sealed class DemoDataTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task SeedingAgain_ChangesNothing()
    {
        _ = api.Server;
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var before = (await db.Agencies.CountAsync(), await db.Survivors.CountAsync(), await db.Consents.CountAsync(), await db.Mous.CountAsync());
        before.ShouldBe((6, 2, 1, 1));

        await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync(CancellationToken.None);

        (await db.Agencies.CountAsync(), await db.Survivors.CountAsync(), await db.Consents.CountAsync(), await db.Mous.CountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Instants_AreStoredAsUtcMilliseconds_AndComparableInQueries()
    {
        _ = api.Server;
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        var now = api.Clock.GetUtcNow();
        // A comparison SQLite could not run on DateTimeOffset text.
        (await db.Consents.CountAsync(c => c.End > now && c.Start <= now)).ShouldBeGreaterThan(0);
        var grant = await db.Consents.AsNoTracking().FirstAsync();
        grant.End.Offset.ShouldBe(TimeSpan.Zero);
    }
}
