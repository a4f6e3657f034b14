using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Resources;
using Consent.Api.Categories;
using Consent.Api.Consents;
using Consent.Api.DisclosureLog;
using Consent.Policies;
using Microsoft.Extensions.Options;

namespace Consent.Api.Vocabulary;

/// <summary>
/// A purpose of use: the code stored everywhere (grants, MOUs, requests, break-glass records, the log) and sent to the
/// policy, the slug the API's JSON and forms name, the code system FHIR carries it in, and its grant durations.
/// </summary>
public sealed record Purpose(string Code, string Slug, string System, string Display, TimeSpan DefaultDuration, TimeSpan MaximumDuration);

/// <summary>The kinds of words the catalogue gives a display text for.</summary>
public enum VocabularyKind
{
    Purpose,
    Category,
    AgencyType,
    Basis,
}

/// <summary>
/// The platform's vocabulary, read from one place each and published at <c>GET /api/vocabulary</c>: purposes of use
/// (configuration <c>Consents:Purposes</c>, in the order forms offer them), data categories (<c>DataCategories</c>),
/// sensitive labels and agency types (the policy's own lists, src/Policies/Vocabulary.cs) and the kinds of basis a
/// disclosure names. Start fails when the configured purposes or labels are not the policy's (the options validators).
/// Display texts come from VocabularyText.resx and one file per language beside it; English purposes and categories
/// fall back to the configured display.
/// </summary>
public sealed class VocabularyCatalogue
{
    private static readonly ResourceManager Texts = new("Consent.Api.Vocabulary.VocabularyText", typeof(VocabularyCatalogue).Assembly);

    private readonly Dictionary<string, Purpose> bySlug;
    private readonly Dictionary<string, Purpose> byCode;
    private readonly DataCategoryOptions categories;

    public VocabularyCatalogue(IOptions<ConsentOptions> consents, IOptions<DataCategoryOptions> categories)
    {
        Purposes = [.. consents.Value.Purposes.OrderBy(p => p.Value.Order).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new Purpose(p.Value.Code, p.Key, p.Value.System, p.Value.Display, p.Value.DefaultDuration, p.Value.MaximumDuration))];
        bySlug = Purposes.ToDictionary(p => p.Slug, StringComparer.Ordinal);
        byCode = Purposes.ToDictionary(p => p.Code, StringComparer.Ordinal);
        this.categories = categories.Value;
    }

    /// <summary>The purposes in the order forms offer them.</summary>
    public IReadOnlyList<Purpose> Purposes { get; }

    public IReadOnlyDictionary<string, DataCategory> Categories => categories.Categories;

    public static IReadOnlyList<string> AgencyTypes => Consent.Policies.AgencyTypes.All;

    public static IReadOnlyList<string> SensitiveLabels => SecurityLabels.Sensitive;

    public static IReadOnlyList<DisclosureBasisKind> BasisKinds { get; } = Enum.GetValues<DisclosureBasisKind>();

    /// <summary>The purpose a request names by its slug.</summary>
    public bool TryPurpose(string? slug, [NotNullWhen(true)] out Purpose? purpose)
    {
        purpose = slug is null ? null : bySlug.GetValueOrDefault(slug);
        return purpose is not null;
    }

    /// <summary>The purpose a stored code or a FHIR header names.</summary>
    public Purpose? PurposeByCode(string? code) => code is null ? null : byCode.GetValueOrDefault(code);

    /// <summary>The slug of a stored code (the code itself when no configured purpose has it).</summary>
    public string Slug(string code) => PurposeByCode(code)?.Slug ?? code;

    /// <summary>The slugs of stored codes, in their order.</summary>
    public IReadOnlyList<string> Slugs(IEnumerable<string> codes) => [.. codes.Select(Slug)];

    /// <summary>The stored code of a known slug.</summary>
    public string Code(string slug) => bySlug[slug].Code;

    /// <summary>The stored codes of known slugs, without repeats, in their order.</summary>
    public List<string> Codes(IEnumerable<string> slugs) => [.. slugs.Select(Code).Distinct(StringComparer.Ordinal)];

    /// <summary>The slugs among <paramref name="slugs"/> that name no purpose.</summary>
    public List<string> UnknownPurposes(IEnumerable<string> slugs) => [.. slugs.Where(s => !bySlug.ContainsKey(s))];

    /// <summary>The display text of a code in a language; the code itself when there is none.</summary>
    public string Display(VocabularyKind kind, string code, CultureInfo culture) => Text(kind, code, culture) ?? kind switch
    {
        VocabularyKind.Purpose => PurposeByCode(code)?.Display ?? code,
        VocabularyKind.Category => categories.Categories.GetValueOrDefault(code)?.Display ?? code,
        _ => code,
    };

    /// <summary>The display text of an agency type in a language (agency types are the policy's, not configured).</summary>
    public static string AgencyTypeDisplay(string type, CultureInfo culture) => Text(VocabularyKind.AgencyType, type, culture) ?? type;

    private static string? Text(VocabularyKind kind, string code, CultureInfo culture) => Texts.GetString(kind + "_" + code, culture);
}
