using System.Security.Cryptography;
using Consent.TestSupport;

namespace Consent.Api.Tests;

/// <summary>
/// The API host with <c>Storage:Provider = Postgres</c>, on a fresh database of the test run's PostgreSQL server
/// (see <see cref="PostgresServer"/>), dropped when the test class ends.
/// </summary>
public sealed class PostgresApi : IAsyncLifetime
{
    private PostgresServer? server;

    public ApiHost Api { get; private set; } = null!;

    /// <summary>The connection string the API is given.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        server = await PostgresServer.Shared;
        ConnectionString = await server.CreateDatabaseAsync();
        Api = For(ConnectionString);
    }

    /// <summary>The tree-head signing key every instance of a deployment is given (one per test run).</summary>
    public static string SigningKeyPem { get; } = NewSigningKeyPem();

    /// <summary>Another API host on the same database, as a second instance behind a load balancer, with the deployment's signing key.</summary>
    public static ApiHost For(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) =>
        ApiHost.With(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Consent"] = connectionString,
            ["DisclosureTree:SigningKeyPem"] = SigningKeyPem,
        });

    public static string NewSigningKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        if (server is not null)
        {
            await server.DropDatabaseAsync(ConnectionString);
        }
    }
}
