using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using Consent.ServiceDefaults.KeyRing;
using Consent.TestSupport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Portal.Tests;

/// <summary>
/// Two portal instances on one PostgreSQL database (the test run's server, see <see cref="PostgresServer"/>), as behind
/// a load balancer: they share the Data Protection key ring (session cookies) and the sign-in's state token keys.
/// </summary>
public sealed class PostgresPortalTests : IAsyncLifetime
{
    private readonly string keyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly IdentityHost identity = new();
    private PostgresServer? server;
    private string connectionString = "";
    private PortalHost a = null!;
    private PortalHost b = null!;

    public async Task InitializeAsync()
    {
        server = await PostgresServer.Shared;
        connectionString = await server.CreateDatabaseAsync();
        a = For(keyEncryptionKey);
        _ = a.Server;
        b = For(keyEncryptionKey);
        _ = b.Server;
    }

    private PortalHost For(string? key) => new(identity, api: null, settings: new Dictionary<string, string?>
    {
        ["Storage:Provider"] = "Postgres",
        ["ConnectionStrings:Portal"] = connectionString,
        ["KeyRing:KeyEncryptionKey"] = key,
    });

    [Fact]
    public async Task ASignInStartedAtOneInstance_CompletesAtTheOther_AndTheSessionHoldsAtBoth()
    {
        var cookies = new CookieContainer();
        var atA = a.CreateBrowser(cookies);
        var atB = b.CreateBrowser(cookies);
        (await atA.GetAsync("/")).StatusCode.ShouldBe(HttpStatusCode.OK, "nobody is signed in yet");

        // The state token and request forgery cookie made by A are read by B's callback, which opens the session.
        await PortalLogin.SignInAsync(atA, atB, identity, "demo-survivor");

        foreach (var browser in new[] { atA, atB })
        {
            var home = await browser.GetAsync("/");
            home.StatusCode.ShouldBe(HttpStatusCode.Redirect, "a signed-in person goes to their role's start page");
            BrowserLogin.Location(home).ShouldBe("/my");
        }
    }

    [Fact]
    public async Task TheKeys_AreInThePortalsDatabase_Sealed()
    {
        await PortalLogin.SignInAsync(a, "demo-survivor");
        await using var db = await b.Services.GetRequiredService<IDbContextFactory<KeyRingDb>>().CreateDbContextAsync();

        var ring = await db.DataProtectionKeys.ToListAsync();
        ring.ShouldNotBeEmpty();
        ring.ShouldAllBe(key => XElement.Parse(key.Xml!).Descendants("sealedKey").Count() == 1
            && !XElement.Parse(key.Xml!).Descendants().Any(element => element.Name.LocalName == "masterKey"));
        var shared = await db.SharedKeys.ToListAsync();
        shared.Select(key => key.Purpose).Order().ToArray().ShouldBe(["client-encryption", "client-signing"]);
        shared.ShouldAllBe(key => !key.SealedPrivateKey.Contains("PRIVATE KEY"));
    }

    [Fact]
    public async Task WithoutTheKeyEncryptionKey_StartFails_SayingWhatToSet()
    {
        await using var portal = For(key: null);
        Should.Throw<InvalidOperationException>(() => portal.Server).Message.ShouldContain("KeyRing:KeyEncryptionKey");
    }

    public async Task DisposeAsync()
    {
        await a.DisposeAsync();
        await b.DisposeAsync();
        await identity.DisposeAsync();
        if (server is not null)
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }
}
