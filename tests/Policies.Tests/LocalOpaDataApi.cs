using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Consent.Policies.Tests;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1) that answers <c>POST /v1/data/...</c> the way OPA's Data
/// API documents it: <c>200 {"result": ...}</c>, <c>200 {}</c> for an undefined document, errors as
/// status codes. OPA itself cannot run on the machines this suite runs on, so this server is the one
/// stand-in the suite uses, and only to test the OPA client's wire format and failure handling; the
/// decisions themselves are tested against the real Rego bundle in OpaBundleTests wherever opa is on PATH.
/// </summary>
public sealed class LocalOpaDataApi : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalOpaDataApi(WebApplication app) => this.app = app;

    /// <summary>Every request received: path and body.</summary>
    public ConcurrentQueue<(string Path, string ContentType, string Body)> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Answers every request with <paramref name="answer"/>.</summary>
    public static async Task<LocalOpaDataApi> StartAsync(Func<HttpContext, string, Task> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LocalOpaDataApi(app);
        app.MapPost("/v1/data/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            server.Requests.Enqueue((context.Request.Path.Value ?? "", context.Request.ContentType ?? "", body));
            await answer(context, body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address);
        return server;
    }

    public static Task<LocalOpaDataApi> AnsweringAsync(int status, string json) =>
        StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json, context.RequestAborted);
        });

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
