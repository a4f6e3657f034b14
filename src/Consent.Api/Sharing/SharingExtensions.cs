using Consent.Api.Categories;

namespace Consent.Api.Sharing;

public static class SharingExtensions
{
    /// <summary>The sharing decision's services: the facts cache, the decisions, the steps of a read (context, candidates, releases, disclosures) and the preview.</summary>
    public static TBuilder AddSharing<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<RecordClassifier>();
        builder.Services.AddSingleton<SharingFactsCache>();
        builder.Services.AddScoped<SharingFacts>();
        builder.Services.AddScoped<SharingDecisions>();
        builder.Services.AddScoped<ReadContexts>();
        builder.Services.AddScoped<ReadCandidates>();
        builder.Services.AddScoped<ReadReleases>();
        builder.Services.AddScoped<ReadDisclosures>();
        builder.Services.AddScoped<SharingPreview>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSharing(this IEndpointRouteBuilder app)
    {
        SharingPreview.MapSharingPreview(app);
        return app;
    }
}
