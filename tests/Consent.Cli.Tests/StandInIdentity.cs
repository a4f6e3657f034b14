using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Consent.Cli.Tests;

/// <summary>
/// A stand-in for the identity provider's token endpoint and client registration API, on an in-process
/// Kestrel server at 127.0.0.1 (a real socket, as the CLI uses it). It records what the CLI sends and answers
/// what each test sets up. The real provider's API is tested in the Identity tests; these tests are about
/// what the CLI sends and how it reports the answers.
/// </summary>
public sealed class StandInIdentity : IAsyncDisposable
{
    public const string OperatorId = "consent-platform";
    public const string OperatorSecret = "operator-secret";
    public const string AccessToken = "operator-access-token";

    private readonly WebApplication app;

    private StandInIdentity(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request received: method, path, Authorization header, body.</summary>
    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>What <c>POST /api/clients</c> answers (status and JSON body).</summary>
    public (int Status, object Body) RegisterAnswer { get; set; } = (StatusCodes.Status201Created, new { });

    public List<object> Clients { get; } = [];

    public HashSet<string> Removable { get; } = [];

    public sealed record Received(string Method, string Path, string? Authorization, string Body);

    public static async Task<StandInIdentity> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var identity = new StandInIdentity(app);
        identity.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        identity.BaseUrl = new Uri(address + "/");
        return identity;
    }

    /// <summary>The operator credentials file, as the demo seed writes it.</summary>
    public static async Task<string> WriteCredentialsAsync(TempDirectory directory, string secret = OperatorSecret)
    {
        var path = directory.File("platform-client.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new
        {
            clientId = OperatorId,
            clientSecret = secret,
            scope = "platform/clients.manage",
        }));
        return path;
    }

    private void Map()
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue(new Received(context.Request.Method, context.Request.Path, context.Request.Headers.Authorization.ToString(), body));
            await next(context);
        });

        app.MapPost("/connect/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            return form["grant_type"] == "client_credentials" && form["client_id"] == OperatorId && form["client_secret"] == OperatorSecret
                ? Results.Json(new { access_token = AccessToken, token_type = "Bearer", expires_in = 300 })
                : Results.Json(new { error = "invalid_client", error_description = "The client credentials are invalid." }, statusCode: 401);
        });

        var api = app.MapGroup("/api/clients").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers.Authorization == "Bearer " + AccessToken
                ? await next(context)
                : Results.Unauthorized());
        api.MapPost("/", () => Results.Json(RegisterAnswer.Body, statusCode: RegisterAnswer.Status,
            contentType: RegisterAnswer.Status >= 400 ? "application/problem+json" : "application/json"));
        api.MapGet("/", () => Results.Json(Clients));
        api.MapDelete("/{clientId}", (string clientId) => Removable.Remove(clientId) ? Results.NoContent() : Results.NotFound());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
