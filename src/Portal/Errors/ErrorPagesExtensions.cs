using Microsoft.AspNetCore.Diagnostics;

namespace Consent.Portal.Errors;

/// <summary>
/// Errors answer a page in the visitor's language (with the quick exit) when a browser asks for HTML, and
/// ProblemDetails otherwise. Neither ever shows a stack trace or an internal message.
/// </summary>
internal static class ErrorPagesExtensions
{
    public const string Path = "/error/{0}";

    public static WebApplicationBuilder AddErrorPages(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<ExceptionHandlerOptions>(options => options.ExceptionHandlingPath = "/error/500");
        return builder;
    }

    public static WebApplication UseErrorPages(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute(Path);
        return app;
    }
}
