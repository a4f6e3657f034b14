using System.Reflection;
using System.Text.Json;
using Consent.Api.Consents;
using Microsoft.Extensions.Options;

namespace Consent.Api.ConsentTexts;

/// <summary>One consent text in one language: what the person is shown before they confirm.</summary>
public sealed record LocalizedConsentText(string Title, string Body, IReadOnlyList<string> Part2Elements);

/// <summary>
/// One version of a consent text, in every supported language. <c>Current</c>: the version new grants must name
/// (older ones stay, so that the grants that name them can still be shown). <c>Part2</c>: it holds the elements
/// 42 CFR §2.31 requires, so a grant that includes a category needing Part 2 consent may name it.
/// </summary>
public sealed record ConsentTextVersion(string Id, string Version, bool Current, bool Part2, IReadOnlyDictionary<string, LocalizedConsentText> Languages);

/// <summary>
/// The consent texts, versioned per language, from the JSON files under <c>ConsentTexts/Texts</c> (embedded in the
/// assembly: a new text or version is a new file). Checked at start: every text in every configured language, one
/// current version per id, Part 2 texts listing their elements.
/// </summary>
public sealed class ConsentTextCatalogue
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<(string Id, string Version), ConsentTextVersion> texts;

    public ConsentTextCatalogue(IOptions<ConsentOptions> consents)
    {
        var languages = consents.Value.Languages;
        Languages = languages;
        texts = [];
        var assembly = typeof(ConsentTextCatalogue).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".ConsentTexts.Texts.", StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var text = JsonSerializer.Deserialize<ConsentTextVersion>(stream, Json)
                ?? throw new InvalidOperationException($"Consent text {name} is empty.");
            var missing = languages.Where(l => !text.Languages.ContainsKey(l)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException($"Consent text {text.Id} v{text.Version} lacks {string.Join(", ", missing)}.");
            }

            if (text.Part2 && text.Languages.Values.Any(l => l.Part2Elements.Count == 0))
            {
                throw new InvalidOperationException($"Consent text {text.Id} v{text.Version} is marked Part 2 but does not list its elements in every language.");
            }

            if (!texts.TryAdd((text.Id, text.Version), text))
            {
                throw new InvalidOperationException($"Consent text {text.Id} v{text.Version} is defined twice.");
            }
        }

        foreach (var id in texts.Values.GroupBy(t => t.Id))
        {
            if (id.Count(t => t.Current) != 1)
            {
                throw new InvalidOperationException($"Consent text {id.Key} needs exactly one current version.");
            }
        }
    }

    /// <summary>The platform's languages (<c>Consents:Languages</c>): every text is in each of them, the first is the default.</summary>
    public IReadOnlyList<string> Languages { get; }

    public IEnumerable<ConsentTextVersion> All => texts.Values.OrderBy(t => t.Id, StringComparer.Ordinal).ThenBy(t => t.Version, StringComparer.Ordinal);

    public ConsentTextVersion? Find(string id, string version) => texts.GetValueOrDefault((id, version));
}
