using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Consent.Api.Categories;

/// <summary>A security label as FHIR carries it in <c>meta.security</c>.</summary>
public sealed class SecurityLabel
{
    [Required]
    public string System { get; set; } = "";

    [Required]
    public string Code { get; set; } = "";
}

/// <summary>
/// One data category: the FHIR resource types it covers and, for sensitive categories, the security labels
/// that mark records of it. Records carrying a sensitive label are covered only by a grant that names the category.
/// </summary>
public sealed class DataCategory
{
    public string Display { get; set; } = "";

    public List<string> ResourceTypes { get; set; } = [];

    public List<SecurityLabel> Labels { get; set; } = [];

    public bool Sensitive { get; set; }

    /// <summary>Records under 42 CFR Part 2: a grant naming this category must name a consent text with the §2.31 elements.</summary>
    public bool Part2 { get; set; }
}

/// <summary>The configured table of categories (section <c>DataCategories</c>): adding one is a configuration change.</summary>
public sealed class DataCategoryOptions
{
    public const string Section = "DataCategories";

    public Dictionary<string, DataCategory> Categories { get; set; } = new(StringComparer.Ordinal);

    public bool IsKnown(string code) => Categories.ContainsKey(code);
}

internal sealed class DataCategoryOptionsValidator : IValidateOptions<DataCategoryOptions>
{
    public ValidateOptionsResult Validate(string? name, DataCategoryOptions options)
    {
        var failures = new List<string>();
        if (options.Categories.Count == 0)
        {
            failures.Add("No data categories are configured.");
        }

        foreach (var (code, category) in options.Categories)
        {
            if (category.ResourceTypes.Count == 0 && category.Labels.Count == 0)
            {
                failures.Add($"Data category '{code}' names neither resource types nor labels.");
            }

            if (category.Sensitive && category.Labels.Count == 0)
            {
                failures.Add($"Sensitive data category '{code}' needs at least one security label.");
            }

            // Labels are what the policy protects: a sensitive category's labels must be ones the policy treats as
            // sensitive (else its records would pass as harmless), and a general category carries none.
            foreach (var label in category.Labels)
            {
                if (!category.Sensitive)
                {
                    failures.Add($"Data category '{code}' is not sensitive but names the label '{label.Code}'.");
                }
                else if (!Consent.Policies.SecurityLabels.IsSensitive(label.Code))
                {
                    failures.Add($"Sensitive data category '{code}' names the label '{label.Code}', which the sharing policy does not treat as sensitive "
                        + $"(it knows {string.Join(", ", Consent.Policies.SecurityLabels.Sensitive)}).");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
