using System.Data.Common;
using Consent.Api.DisclosureLog;
using Consent.Api.DisclosureTree;
using Consent.Api.Storage;
using Consent.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;

namespace Consent.Api.Tests;

/// <summary>
/// The disclosure log on its own: the real writer, ConsentDb and migrations on a real SQLite file, in a
/// small host that can be stopped and started again on the same file. The store switch lets a test hold
/// commits at the door or make them fail. With the tree, the host also runs the tree integrator and the tree-head
/// signer, keeping the signing key under the database file's folder.
/// </summary>
internal sealed class DisclosureLogHost : IAsyncDisposable
{
    private readonly IHost host;

    private DisclosureLogHost(IHost host, string databaseFile)
    {
        this.host = host;
        DatabaseFile = databaseFile;
    }

    public string DatabaseFile { get; }

    public IDisclosureLog Log => host.Services.GetRequiredService<IDisclosureLog>();

    public IServiceProvider Services => host.Services;

    public static string NewDatabaseFile()
    {
        var directory = Path.Combine(Path.GetTempPath(), "consent-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, "consent.db");
    }

    public static async Task<DisclosureLogHost> StartAsync(
        string databaseFile, StoreSwitch? store = null, int queueCapacity = 4096, bool tree = false, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DisclosureLog:QueueCapacity"] = queueCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:DataDirectory"] = Path.GetDirectoryName(databaseFile),
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddLogging();
        builder.Services.AddSingleton<TimeProvider>(new MovableClock());
        builder.Services.AddDbContext<ConsentDb>((services, options) =>
        {
            options.UseConsentSqlite($"Data Source={databaseFile}", services);
            if (store is not null)
            {
                options.AddInterceptors(store);
            }
        });
        builder.AddDisclosureLog();
        if (tree)
        {
            builder.AddDisclosureTree();
        }

        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ConsentDb>().Database.MigrateAsync();
        }

        await host.StartAsync();
        return new DisclosureLogHost(host, databaseFile);
    }

    /// <summary>A fresh DbContext on the same database, as any other feature would get one.</summary>
    public AsyncServiceScope Scope(out ConsentDb db)
    {
        var scope = host.Services.CreateAsyncScope();
        db = scope.ServiceProvider.GetRequiredService<ConsentDb>();
        return scope;
    }

    public async Task<List<DisclosureEntry>> ReadAllAsync()
    {
        await using var scope = Scope(out var db);
        return await db.Disclosures.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        SqliteConnection.ClearAllPools();
    }
}

/// <summary>Sits in front of real SQLite commits: can hold them until released, or make them throw.</summary>
internal sealed class StoreSwitch : DbTransactionInterceptor
{
    private volatile bool failCommits;
    private int failuresLeft;
    private TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? gate;

    public void FailCommits(bool fail) => failCommits = fail;

    /// <summary>Only the next commit throws; the ones after it go through.</summary>
    public void FailNextCommit() => Interlocked.Exchange(ref failuresLeft, 1);

    /// <summary>The next commits wait until <see cref="Release"/>; the returned task completes when one arrives.</summary>
    public Task Hold()
    {
        reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return reached.Task;
    }

    public void Release() => gate?.TrySetResult();

    public override async ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        reached.TrySetResult();
        if (gate is { } held)
        {
            await held.Task;
        }

        if (failCommits || Interlocked.Exchange(ref failuresLeft, 0) == 1)
        {
            throw new InvalidOperationException("Simulated storage failure at commit.");
        }

        return result;
    }
}
