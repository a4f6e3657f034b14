using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using Consent.Identity.Data;
using Consent.Identity.Keys;
using Consent.Identity.Users;
using Consent.ServiceDefaults.KeyRing;
using Consent.TestSupport;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Validation;

namespace Consent.Identity.Tests;

/// <summary>
/// Two Identity instances on one PostgreSQL database share what a load balancer needs them to share: the users and
/// clients, the spent client assertion ids, the Data Protection key ring (sealed in the database), and the token keys.
/// </summary>
public sealed class PostgresIdentityTests(PostgresIdentity postgres) : IClassFixture<PostgresIdentity>
{
    private IdentityHost A => postgres.A;
    private IdentityHost B => postgres.B;

    [Fact]
    public async Task AFreshDatabase_GetsThePostgresMigrations_AndTheKeyRing()
    {
        (await B.CreateClient().GetAsync("/health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var scope = B.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        db.ShouldBeOfType<PostgresIdentityDb>();
        db.Database.IsNpgsql().ShouldBeTrue();
        (await db.Database.GetAppliedMigrationsAsync()).ShouldHaveSingleItem().ShouldEndWith("_Initial");
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
        await using var keyRing = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<KeyRingDb>>().CreateDbContextAsync();
        (await keyRing.Database.GetAppliedMigrationsAsync()).ShouldHaveSingleItem().ShouldEndWith("_KeyRing");
        Directory.Exists(Path.Combine(B.DataDirectory, "keys")).ShouldBeFalse("no key files on PostgreSQL");
    }

    [Fact]
    public async Task AnAssertionSpentAtOneInstance_IsRefusedAtTheOther()
    {
        var client = A.Client("harbor-house");
        var assertion = ClientAssertions.Create(client);

        var first = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(A.CreateClient(), client.ClientId, assertion));
        first.Status.ShouldBe(200, first.Body.ToString());

        var replay = await TokenRequests.ClientCredentialsWithAssertion(B.CreateClient(), client.ClientId, assertion);
        var description = (await TokenRequests.ReadAsync(replay)).Body.GetProperty("error_description").GetString();
        await ClientCredentialsTests.ShouldBeRejected(replay, "invalid_client");
        description.ShouldBe("The client assertion has already been used.");

        // B itself accepts the client: only the spent jti was refused.
        var fresh = await TokenRequests.ReadAsync(await TokenRequests.ClientCredentialsWithAssertion(B.CreateClient(), client.ClientId, ClientAssertions.Create(client)));
        fresh.Status.ShouldBe(200, fresh.Body.ToString());
    }

    [Fact]
    public async Task ATokenIssuedByOneInstance_ValidatesAtTheOther()
    {
        var jwksA = await A.CreateClient().GetStringAsync("/.well-known/jwks");
        var jwksB = await B.CreateClient().GetStringAsync("/.well-known/jwks");
        jwksB.ShouldBe(jwksA);
        var keys = new JsonWebKeySet(jwksB).GetSigningKeys();
        keys.ShouldNotBeEmpty();

        var token = await TokenRequests.AgencyTokenAsync(A.CreateClient(), A.Client("northside-clinic"));
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = IdentityHost.Issuer,
            ValidateAudience = false,
            IssuerSigningKeys = keys,
        });
        validated.IsValid.ShouldBeTrue(validated.Exception?.Message);

        var introspection = await B.CreateClient().PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = "consent-api", ["client_secret"] = IdentityHost.ApiIntrospectionSecret,
        }));
        introspection.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await introspection.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("active").GetBoolean().ShouldBeTrue(body.ToString());
        body.GetProperty("agency_id").GetString().ShouldBe("northside-clinic");
    }

    [Fact]
    public void WhatOneInstanceProtects_TheOtherUnprotects()
    {
        var protectedByA = A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("payload");
        B.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByA).ShouldBe("payload");

        var secretByA = A.Services.GetRequiredService<AuthenticatorKeyProtector>().Protect("JBSWY3DPEHPK3PXP");
        AuthenticatorKeyProtector.IsProtected(secretByA).ShouldBeTrue();
        B.Services.GetRequiredService<AuthenticatorKeyProtector>().Unprotect(secretByA).ShouldBe("JBSWY3DPEHPK3PXP");
    }

    [Fact]
    public async Task ASessionStartedAtOneInstance_ContinuesAtTheOther()
    {
        // Both instances answer http://localhost/, as behind one load balancer: the browser keeps one cookie jar.
        var jar = new CookieContainer();
        var atA = A.CreateDefaultClient(new Uri("http://localhost/"), new CookieContainerHandler(jar));
        var atB = B.CreateDefaultClient(new Uri("http://localhost/"), new CookieContainerHandler(jar));

        // The advocate signs in at A (password, then the TOTP secret A's seed protected)...
        var (verifier, challenge) = BrowserLogin.Pkce();
        var code = await new BrowserLogin(atA).SignInAndAuthorizeAsync(A.User("demo-advocate"), challenge);
        (await TokenRequests.RedeemCodeAsync(atB, code, verifier)).Status.ShouldBe(200);

        // ...and B reads A's session cookie: the next authorization goes straight back to the portal with a code.
        var (_, secondChallenge) = BrowserLogin.Pkce();
        var response = await atB.GetAsync(BrowserLogin.AuthorizeUrl(secondChallenge));
        BrowserLogin.Location(response).ShouldStartWith(IdentityHost.PortalRedirectUri);
        BrowserLogin.Location(response).ShouldContain("code=");
    }

    [Fact]
    public async Task StaffSignInAtTheOtherInstance_UsesTheSecretTheFirstProtected()
    {
        var (verifier, challenge) = BrowserLogin.Pkce();
        var browser = B.CreateBrowser();
        var code = await new BrowserLogin(browser).SignInAndAuthorizeAsync(A.User("demo-compliance"), challenge);
        var (status, _, body) = await TokenRequests.RedeemCodeAsync(browser, code, verifier);
        status.ShouldBe(200, body.ToString());
    }

    [Fact]
    public async Task TheDatabase_HoldsNoKeyInTheClear()
    {
        _ = A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("payload");
        await using var db = await B.Services.GetRequiredService<IDbContextFactory<KeyRingDb>>().CreateDbContextAsync();

        var ring = await db.DataProtectionKeys.ToListAsync();
        ring.ShouldNotBeEmpty();
        foreach (var key in ring)
        {
            var xml = XElement.Parse(key.Xml.ShouldNotBeNull());
            xml.Descendants("sealedKey").ShouldHaveSingleItem().Value.ShouldStartWith(SealedBy(postgres.KeyEncryptionKey));
            key.Xml.ShouldContain(typeof(KeyRingXmlDecryptor).FullName!);
            // Data Protection's element holding the secret, in the clear when no encryptor is configured.
            xml.Descendants().ShouldNotContain(element => element.Name.LocalName == "masterKey" || element.Name.LocalName == "value");
        }

        var shared = await db.SharedKeys.ToListAsync();
        shared.Select(k => k.Purpose).Order().ToArray().ShouldBe(["encryption", "signing"], "two instances, one key per purpose");
        foreach (var key in shared)
        {
            key.SealedPrivateKey.ShouldNotContain("PRIVATE KEY");
            key.SealedPrivateKey.ShouldStartWith(SealedBy(postgres.KeyEncryptionKey));
        }
    }

    [Fact]
    public async Task WithoutTheKeyEncryptionKey_StartFails_SayingWhatToSet()
    {
        await using var host = PostgresIdentity.For(postgres.ConnectionString, keyEncryptionKey: null);
        var failure = Should.Throw<InvalidOperationException>(() => host.Server);
        failure.Message.ShouldContain("KeyRing:KeyEncryptionKey");
    }

    [Fact]
    public async Task AfterTheKeyEncryptionKeyRotates_AnInstanceReadsTheOldKeys_AndSealsThemWithTheNewKey()
    {
        // A database of its own: the instances of the class fixture keep the old key as their current one.
        var server = await PostgresServer.Shared;
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            var oldKey = PostgresIdentity.NewKeyEncryptionKey();
            var newKey = PostgresIdentity.NewKeyEncryptionKey();
            string protectedBefore, jwksBefore;
            await using (var before = PostgresIdentity.For(connectionString, oldKey))
            {
                protectedBefore = before.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("payload");
                jwksBefore = await before.CreateClient().GetStringAsync("/.well-known/jwks");
            }

            await using var after = PostgresIdentity.For(connectionString, newKey,
                new Dictionary<string, string?> { ["KeyRing:PreviousKeyEncryptionKeys:0"] = oldKey });
            (await after.CreateClient().GetStringAsync("/.well-known/jwks")).ShouldBe(jwksBefore);
            after.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedBefore).ShouldBe("payload");

            await using var db = await after.Services.GetRequiredService<IDbContextFactory<KeyRingDb>>().CreateDbContextAsync();
            var shared = await db.SharedKeys.ToListAsync();
            shared.Count.ShouldBe(2);
            shared.ShouldAllBe(k => k.SealedPrivateKey.StartsWith(SealedBy(newKey)));
            var ring = await db.DataProtectionKeys.ToListAsync();
            ring.ShouldNotBeEmpty();
            ring.ShouldAllBe(k => XElement.Parse(k.Xml!).Descendants("sealedKey").Single().Value.StartsWith(SealedBy(newKey)));

            // Without the old key, an instance cannot open what it sealed before the rotation took effect everywhere.
            await using var withoutOld = PostgresIdentity.For(connectionString, PostgresIdentity.NewKeyEncryptionKey());
            Should.Throw<CryptographicException>(() => withoutOld.Server).Message.ShouldContain("KeyRing:PreviousKeyEncryptionKeys");
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task TwoInstancesStartingTogether_MakeOneKeyPerPurpose()
    {
        var server = await PostgresServer.Shared;
        var connectionString = await server.CreateDatabaseAsync();
        try
        {
            var options = new DbContextOptionsBuilder<KeyRingDb>()
                .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(KeyRingDb.MigrationsHistoryTable)).Options;
            await using (var db = new KeyRingDb(options))
            {
                await db.Database.MigrateAsync();
            }

            var sealing = new KeyEncryptionKeys(new KeyRingOptions { KeyEncryptionKey = PostgresIdentity.NewKeyEncryptionKey() });
            var starts = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
                new SharedKeys(new PooledDbContextFactory<KeyRingDb>(options), sealing, TimeProvider.System)
                    .LoadOrCreate("signing", TimeSpan.FromDays(90), TimeSpan.FromDays(180))));
            var loaded = await Task.WhenAll(starts);

            loaded.ShouldAllBe(keys => keys.Count == 1);
            loaded.Select(keys => keys[0]).Distinct().ShouldHaveSingleItem();
            await using var check = new KeyRingDb(options);
            (await check.SharedKeys.CountAsync()).ShouldBe(1);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task ANewKey_IsPublishedWithoutARestart_AndSignsOnlyOnceEveryInstanceCanKnowIt()
    {
        var server = await PostgresServer.Shared;
        var connectionString = await server.CreateDatabaseAsync();
        var clock = new MovableClock();
        try
        {
            await using var host = PostgresIdentity.For(connectionString, PostgresIdentity.NewKeyEncryptionKey(),
                new Dictionary<string, string?> { ["Keys:RefreshInterval"] = "00:00:01" },
                (_, services) => services.AddSingleton<TimeProvider>(clock));
            var client = host.Client("harbor-house");
            var first = await SigningKeyIdAsync(host, client);
            (await PublishedKeyIdsAsync(host)).ShouldBe([first]);

            // Rotation falls due: the next reload makes a key and publishes it, without a restart...
            clock.Ahead = new KeyStoreOptions().RotateAfter;
            var published = await EventuallyAsync(() => PublishedKeyIdsAsync(host), ids => ids.Count == 2);
            var next = published.Single(id => id != first);
            // ...but the older key keeps signing (asked at once, well within the two reloads the new key waits).
            (await SigningKeyIdAsync(host, client)).ShouldBe(first);

            clock.Ahead += TimeSpan.FromDays(1);
            await EventuallyAsync(() => SigningKeyIdAsync(host, client), id => id == next);
            (await PublishedKeyIdsAsync(host)).ShouldBe([next, first], ignoreOrder: true);
            // The local validation (the admin API's tokens) was rebuilt with the server's keys too.
            var validation = host.Services.GetRequiredService<IOptionsMonitor<OpenIddictValidationOptions>>().CurrentValue;
            validation.Configuration.ShouldNotBeNull().SigningKeys.Select(key => key.KeyId).ShouldContain(next);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<string> SigningKeyIdAsync(IdentityHost host, DemoClient client)
    {
        var (status, _, body) = await TokenRequests.ReadAsync(
            await TokenRequests.ClientCredentialsWithSecret(host.CreateClient(), client.ClientId, client.ClientSecret));
        status.ShouldBe(200, body.ToString());
        return new JsonWebToken(body.GetProperty("access_token").GetString()).Kid;
    }

    private static async Task<List<string>> PublishedKeyIdsAsync(IdentityHost host) =>
        new JsonWebKeySet(await host.CreateClient().GetStringAsync("/.well-known/jwks")).Keys
            .Where(key => key.Use == "sig").Select(key => key.Kid).ToList();

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return done(value) ? value : throw new ShouldAssertException($"Still {value} after 30 s.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>How a value sealed with this key-encryption key begins: the key's id.</summary>
    private static string SealedBy(string keyEncryptionKey) => new KeyEncryptionKeys(new KeyRingOptions { KeyEncryptionKey = keyEncryptionKey }).CurrentId + ".";
}
