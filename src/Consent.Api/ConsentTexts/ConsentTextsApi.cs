using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Consent.Api.ConsentTexts;

/// <summary>One consent text in one language, as the grant wizard shows it.</summary>
public sealed record ConsentTextView(string Id, string Version, string Language, bool Current, bool Part2, string Title, string Body,
    IReadOnlyList<string> Part2Elements);

public static class ConsentTextsApi
{
    public static WebApplicationBuilder AddConsentTexts(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ConsentTextCatalogue>();
        return builder;
    }

    public static RouteGroupBuilder MapConsentTexts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/consent-texts").WithTags("Consent texts");
        group.MapGet("/", List).WithSummary("The current consent texts in one language (default: the platform's first, English): what a grant must name.")
            .WithProblems(ProblemCatalogue.UnsupportedLanguage);
        group.MapGet("/{textId}/{version}", Get).WithSummary("One version of a consent text in one language, current or earlier.")
            .WithProblems(ProblemCatalogue.ConsentTextNotFound, ProblemCatalogue.UnsupportedLanguage);
        return group;
    }

    private static Results<Ok<List<ConsentTextView>>, ProblemHttpResult> List(ConsentTextCatalogue catalogue, string? language = null)
    {
        var lang = language ?? catalogue.Languages[0];
        if (!catalogue.Languages.Contains(lang))
        {
            return new Problem(ProblemCatalogue.UnsupportedLanguage).ToResult();
        }

        return TypedResults.Ok(catalogue.All.Where(t => t.Current).Select(t => View(t, lang)).ToList());
    }

    private static Results<Ok<ConsentTextView>, ProblemHttpResult> Get(string textId, string version, ConsentTextCatalogue catalogue, string? language = null)
    {
        var lang = language ?? catalogue.Languages[0];
        var text = catalogue.Find(textId, version);
        if (text is null)
        {
            return new Problem(ProblemCatalogue.ConsentTextNotFound).ToResult();
        }

        return catalogue.Languages.Contains(lang) ? TypedResults.Ok(View(text, lang)) : new Problem(ProblemCatalogue.UnsupportedLanguage).ToResult();
    }

    private static ConsentTextView View(ConsentTextVersion text, string language)
    {
        var localized = text.Languages[language];
        return new ConsentTextView(text.Id, text.Version, language, text.Current, text.Part2, localized.Title, localized.Body, localized.Part2Elements);
    }
}
