using Consent.Portal.ConsentApi;
using Consent.Portal.Localization;
using Microsoft.Extensions.Localization;

namespace Consent.Portal.Pages.Advocate;

/// <summary>
/// The API's refusal of a form, put beside the form's fields: a field the API names in its errors, or the field a
/// catalogued problem is about (a verbal consent that is too long is about the end date). The text is the page's own
/// words for that problem when it has them, else what the API said. Whatever belongs to no field is said at the top.
/// </summary>
public sealed class AdvocateRefusal
{
    private readonly Dictionary<string, string> fields = new(StringComparer.Ordinal);

    private AdvocateRefusal()
    {
    }

    /// <summary>What the API said that belongs to no field of the form.</summary>
    public string? General { get; private set; }

    /// <summary>The API's problem type (such as <c>verbal-consent-too-long</c>), for tests and styling.</summary>
    public string? Type { get; private set; }

    public IReadOnlyDictionary<string, string> Fields => fields;

    /// <summary>Added to a field's name to find its element, where a page has one form per record (<c>-{record}</c>).</summary>
    public string AnchorSuffix { get; set; } = "";

    public bool Has(string field) => fields.ContainsKey(field);

    public string? For(string field) => fields.GetValueOrDefault(field);

    /// <param name="fieldOfType">For catalogued problems that are about one field: the problem type and the form's field.</param>
    /// <param name="fieldOfError">For the API's error keys that the form names differently: the API's key and the form's field.</param>
    public static AdvocateRefusal Of(
        ApiProblem problem, IStringLocalizer<AdvocateStrings> text, IReadOnlyDictionary<string, string>? fieldOfType = null,
        IReadOnlyDictionary<string, string>? fieldOfError = null)
    {
        var refusal = new AdvocateRefusal { Type = problem.Type };
        foreach (var (key, messages) in problem.Errors)
        {
            var field = fieldOfError?.GetValueOrDefault(key) ?? key;
            var own = text["Invalid_" + key];
            refusal.fields[field] = own.ResourceNotFound ? string.Join(" ", messages) : own.Value;
        }

        var ownProblem = problem.Type is { Length: > 0 } type ? text["Problem_" + type] : null;
        var said = ownProblem is { ResourceNotFound: false } ? ownProblem.Value : problem.Detail ?? problem.Title ?? text["RefusedGeneric"].Value;
        if (problem.Type is { } kind && fieldOfType?.GetValueOrDefault(kind) is { } aboutField)
        {
            refusal.fields[aboutField] = said;
        }
        else if (refusal.fields.Count == 0)
        {
            refusal.General = said;
        }

        return refusal;
    }
}
