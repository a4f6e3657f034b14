using Microsoft.AspNetCore.Http.Json;
using System.Text.Json.Serialization;

namespace Consent.Api.Problems;

public static class ProblemsExtensions
{
    /// <summary>Bad bodies reach the exception handler in every environment, so they all answer the same problem.</summary>
    public static WebApplicationBuilder AddApiProblems(this WebApplicationBuilder builder)
    {
        builder.Services.AddExceptionHandler<CallerErrorHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.KebabCaseLower)));
        return builder;
    }
}
