using System.Globalization;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;

namespace Consent.Api.Vocabulary;

/// <summary>A purpose of use as forms offer it: the slug requests name, the code the log and FHIR carry, its text.</summary>
public sealed record PurposeTermView(string Slug, string Code, string System, string Display, int DefaultDays, int MaximumDays);

/// <summary>A data category with its text, its FHIR resource types and, when sensitive, the labels that mark its records.</summary>
public sealed record CategoryTermView(string Code, string Display, bool Sensitive, bool Part2, IReadOnlyList<string> ResourceTypes,
    IReadOnlyList<SecurityLabel> Labels);

/// <summary>A code with its text in the language asked for.</summary>
public sealed record TermView(string Code, string Display);

/// <summary>
/// The whole vocabulary in one language: purposes in the order forms offer them, categories, the policy's sensitive labels
/// and agency types, and the kinds of basis the disclosure log names.
/// </summary>
public sealed record VocabularyView(string Language, IReadOnlyList<PurposeTermView> Purposes, IReadOnlyList<CategoryTermView> Categories,
    IReadOnlyList<string> SensitiveLabels, IReadOnlyList<TermView> AgencyTypes, IReadOnlyList<TermView> BasisKinds);

public static class VocabularyApi
{
    public static WebApplicationBuilder AddVocabulary(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<VocabularyCatalogue>();
        builder.Services.Configure<OpenApiOptions>("v1", options => options.AddSchemaTransformer<VocabularySchemaTransformer>());
        return builder;
    }

    public static RouteGroupBuilder MapVocabulary(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/vocabulary").WithTags("Vocabulary");
        group.MapGet("/", Get)
            .WithSummary("The platform's vocabulary in one language (en, es, ko; default en): purposes of use, data categories, "
                + "sensitive labels, agency types and kinds of basis, each with its code and text.")
            .WithProblems(ProblemCatalogue.UnsupportedLanguage);
        return group;
    }

    private static Results<Ok<VocabularyView>, ProblemHttpResult> Get(string? language, VocabularyCatalogue vocabulary, IOptions<ConsentOptions> consents)
    {
        var chosen = language ?? consents.Value.Languages[0];
        if (!consents.Value.Languages.Contains(chosen, StringComparer.Ordinal))
        {
            return new Problem(ProblemCatalogue.UnsupportedLanguage, "Supported: " + string.Join(", ", consents.Value.Languages)).ToResult();
        }

        var culture = CultureInfo.GetCultureInfo(chosen);
        return TypedResults.Ok(new VocabularyView(
            chosen,
            [.. vocabulary.Purposes.Select(p => new PurposeTermView(p.Slug, p.Code, p.System, vocabulary.Display(VocabularyKind.Purpose, p.Code, culture),
                (int)p.DefaultDuration.TotalDays, (int)p.MaximumDuration.TotalDays))],
            [.. vocabulary.Categories.Select(c => new CategoryTermView(c.Key, vocabulary.Display(VocabularyKind.Category, c.Key, culture), c.Value.Sensitive,
                c.Value.Part2, c.Value.ResourceTypes, c.Value.Labels))],
            VocabularyCatalogue.SensitiveLabels,
            [.. VocabularyCatalogue.AgencyTypes.Select(t => new TermView(t, vocabulary.Display(VocabularyKind.AgencyType, t, culture)))],
            [.. VocabularyCatalogue.BasisKinds.Select(k => new TermView(k.ToString(), vocabulary.Display(VocabularyKind.Basis, k.ToString(), culture)))]));
    }
}
