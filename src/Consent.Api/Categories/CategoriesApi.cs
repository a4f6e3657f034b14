using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Consent.Api.Categories;

public sealed record DataCategoryView(string Code, string Display, IReadOnlyList<string> ResourceTypes, IReadOnlyList<SecurityLabel> Labels, bool Sensitive);

public static class CategoriesExtensions
{
    public static WebApplicationBuilder AddDataCategories(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DataCategoryOptions>()
            .Configure(options => builder.Configuration.GetSection(DataCategoryOptions.Section).Bind(options.Categories))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DataCategoryOptions>, DataCategoryOptionsValidator>();
        return builder;
    }

    public static RouteGroupBuilder MapCategories(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/categories").WithTags("Data categories");
        group.MapGet("/", List).WithSummary("The configured data categories with their FHIR resource types and security labels.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return group;
    }

    private static Ok<List<DataCategoryView>> List(IOptions<DataCategoryOptions> options) =>
        TypedResults.Ok(options.Value.Categories
            .Select(c => new DataCategoryView(c.Key, c.Value.Display, c.Value.ResourceTypes, c.Value.Labels, c.Value.Sensitive))
            .OrderBy(c => c.Code, StringComparer.Ordinal)
            .ToList());
}
