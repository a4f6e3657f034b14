namespace Consent.Portal.Vocabulary;

/// <summary>A purpose of use as the consent API configures it (Consents:Purposes): the slug grants, requests and MOUs
/// name, and the code the disclosure log stores.</summary>
public sealed record PurposeOfUse(string Slug, string Code);

/// <summary>
/// The purposes of use, defined once for every area of the portal (forms offer them in this order: the most common first,
/// law enforcement last, so that nothing suggests services depend on it). The API refuses any other, and its texts give
/// each one its everyday words in the page's language. Until the API publishes its catalogue, this list follows
/// Consents:Purposes of src/Consent.Api/appsettings.json by hand.
/// </summary>
public static class PurposesOfUse
{
    public static readonly IReadOnlyList<PurposeOfUse> All =
    [
        new("care-coordination", "COC"),
        new("case-management", "CAREMGT"),
        new("treatment", "TREAT"),
        new("safety-planning", "SAFETYPLAN"),
        new("legal-advocacy", "HLEGAL"),
        new("emergency", "ETREAT"),
        new("child-protection", "CHILDPROT"),
        new("law-enforcement", "LAWENF"),
    ];

    public static readonly IReadOnlyList<string> Slugs = [.. All.Select(purpose => purpose.Slug)];

    public static readonly IReadOnlyList<string> Codes = [.. All.Select(purpose => purpose.Code)];
}
