using System.Net;
using System.Text.Json;
using Consent.Identity.Users;
using Consent.TestSupport;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Cli.Tests;

/// <summary>
/// The real identity provider (<see cref="IdentityHost"/>, seeded as <c>./run.sh</c> seeds it) on Kestrel at
/// 127.0.0.1: the CLI makes its own HttpClient, so it must reach the provider over a real socket.
/// </summary>
public sealed class RealIdentity : IAsyncLifetime
{
    public IdentityHost Host { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The demo users file the provider wrote (Development).</summary>
    public string UsersFile => Path.Combine(Host.DataDirectory, "demo", "users.json");

    /// <summary>The platform operator's client credentials the provider wrote (Development), as <c>consent clients</c> reads them.</summary>
    public string PlatformClientFile => Path.Combine(Host.DataDirectory, "demo", "platform-client.json");

    public IReadOnlyList<DemoUser> Users =>
        JsonSerializer.Deserialize<List<DemoUser>>(File.ReadAllText(UsersFile), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    public DemoUser User(string userName) => Users.Single(user => user.UserName == userName);

    public Task InitializeAsync()
    {
        Host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        Host.StartServer();
        var address = Host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address + "/");
        return Task.CompletedTask;
    }

    /// <summary>The user's id at the provider: what an access token's <c>sub</c> must be.</summary>
    public async Task<string> UserIdAsync(string userName)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>().FindByNameAsync(userName);
        return user.ShouldNotBeNull().Id;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
