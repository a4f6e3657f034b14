using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Consent.ServiceDefaults.Proxies;
using Serilog;
using Serilog.Formatting.Compact;

namespace Consent.ServiceDefaults;

/// <summary>What every app of the platform shares: data directory, structured logs, ProblemDetails, health.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The resolved data directory of the app (created if missing).</summary>
    public static string DataDirectory(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        var directory = options.Resolve(builder.Environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The database provider <c>Storage:Provider</c> names (SQLite unless PostgreSQL is chosen).</summary>
    public static StorageProvider StorageProvider(this IHostApplicationBuilder builder) =>
        (builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions()).Provider;

    /// <summary>
    /// Serilog to the console and to a compact JSON file under the data directory's logs folder.
    /// Request logging records method, path template and status only: never query strings or bodies,
    /// which may hold survivor data.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string appName)
    {
        var logDirectory = Path.Combine(builder.DataDirectory(), "logs");
        Directory.CreateDirectory(logDirectory);

        // The app's own logger, built here and handed to the host: the static Log.Logger belongs to whichever app of
        // the process was built last (several apps share a process in tests), so nothing of ours goes through it.
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("OpenIddict", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http.HttpClient", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("App", appName)
            // The sinks sit behind a sub-logger so that its enricher runs after every other (the host's request scope
            // adds RequestPath, the raw path with survivor and record ids, to each event logged during a request).
            .WriteTo.Logger(sinks => sinks
                .Enrich.With<WithoutRawPath>()
                .WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture)
                .WriteTo.File(new CompactJsonFormatter(), Path.Combine(logDirectory, $"{appName}-.json"),
                    rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14))
            .CreateLogger();
        builder.Services.AddSerilog(logger, dispose: true);
        builder.Services.AddSingleton(new AppLogger(logger));

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.Remove("exception");
            context.ProblemDetails.Extensions["traceId"] = context.HttpContext.TraceIdentifier;
        });
        // A body the framework could not read (malformed JSON, wrong content type) is the caller's error: its own
        // 4xx, and not logged as an unhandled exception with a stack trace.
        builder.Services.Configure<ExceptionHandlerOptions>(options =>
        {
            options.StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            options.SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException;
        });
        // No "Server: Kestrel" banner on any app.
        builder.WebHost.ConfigureKestrel(options => options.AddServerHeader = false);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        builder.AddTrustedProxies();
        return builder;
    }

    /// <summary>
    /// The trusted proxy's forwarded headers first (the client's address and scheme); then request logging, so that it
    /// logs the status the caller got (after the exception handler turned an exception into a 400 or a 500); then error
    /// handling that answers ProblemDetails and never shows a stack trace.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseTrustedProxies();
        app.UseSerilogRequestLogging(options =>
        {
            // This app's logger, not the process-wide static one (which the last app built in the process owns).
            options.Logger = app.Services.GetRequiredService<AppLogger>().Logger;
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPathTemplate} responded {StatusCode} in {Elapsed:0.0} ms";
            options.GetMessageTemplateProperties = RequestLogEnrichment.Properties;
            options.GetLevel = RequestLogEnrichment.Level;
        });
        app.Use(RequestLogEnrichment.CaptureTemplate);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RequestSizeLimit>();
        return app;
    }

    /// <summary>/health/live answers while the process runs; /health/ready also checks the database.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        // Probes carry no token: health answers are open (they say nothing about anyone's records).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") })
            .AllowAnonymous();
        app.MapHealthChecks("/health/ready").AllowAnonymous();
        return app;
    }
}

/// <summary>The Serilog logger this app built for itself (its request log writes through it).</summary>
public sealed record AppLogger(Serilog.ILogger Logger);
