using System.Security.Cryptography;
using Consent.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Identity.Tests;

/// <summary>
/// Two Identity instances on one fresh database of the test run's PostgreSQL server (see <see cref="PostgresServer"/>),
/// as behind a load balancer: each with its own data directory, so nothing reaches the other through files. A is
/// started (and seeds the demo data) before B. The database is dropped when the test class ends.
/// </summary>
public sealed class PostgresIdentity : IAsyncLifetime
{
    private PostgresServer? server;

    public IdentityHost A { get; private set; } = null!;
    public IdentityHost B { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    /// <summary>The key-encryption key both instances are given.</summary>
    public string KeyEncryptionKey { get; } = NewKeyEncryptionKey();

    public async Task InitializeAsync()
    {
        server = await PostgresServer.Shared;
        ConnectionString = await server.CreateDatabaseAsync();
        A = For(ConnectionString, KeyEncryptionKey);
        _ = A.Clients; // A starts, migrates and seeds first
        B = For(ConnectionString, KeyEncryptionKey);
        _ = B.Server;
    }

    /// <summary>An Identity host on PostgreSQL; <paramref name="settings"/> adds or replaces settings (null removes one).</summary>
    public static IdentityHost For(string connectionString, string? keyEncryptionKey, IDictionary<string, string?>? settings = null,
        Action<IdentityHost, IServiceCollection>? services = null)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Identity"] = connectionString,
            ["KeyRing:KeyEncryptionKey"] = keyEncryptionKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        return IdentityHost.With(overrides: overrides, services: services);
    }

    public static string NewKeyEncryptionKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        if (server is not null)
        {
            await server.DropDatabaseAsync(ConnectionString);
        }
    }
}
