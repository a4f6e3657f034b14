using Microsoft.Extensions.Options;

namespace Consent.Api.Consents;

/// <summary>A purpose of use: how FHIR codes it, and how long a grant for it lasts by default and at most.</summary>
public sealed class PurposeOfUse
{
    /// <summary>Where forms offer it (configuration keys have no order of their own): the most common first, law enforcement last.</summary>
    public int Order { get; set; } = int.MaxValue;

    public string Display { get; set; } = "";

    /// <summary>HL7 v3 PurposeOfUse (<c>http://terminology.hl7.org/CodeSystem/v3-ActReason</c>) where one fits, a local system otherwise.</summary>
    public string System { get; set; } = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    public string Code { get; set; } = "";

    public TimeSpan DefaultDuration { get; set; } = TimeSpan.FromDays(180);

    public TimeSpan MaximumDuration { get; set; } = TimeSpan.FromDays(365);
}

/// <summary>Section <c>Consents</c>: purposes with their durations, the verbal-consent limit and the consent-text languages.</summary>
public sealed class ConsentOptions
{
    public const string Section = "Consents";

    /// <summary>Languages consent text is shown in; the first is the default.</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>Verbal consent is short-lived: its end is at most this far after its start.</summary>
    public TimeSpan VerbalMaximum { get; set; } = TimeSpan.FromDays(30);

    public Dictionary<string, PurposeOfUse> Purposes { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class ConsentOptionsValidator : IValidateOptions<ConsentOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsentOptions options)
    {
        var failures = new List<string>();
        if (options.Languages.Count == 0)
        {
            failures.Add("Consents:Languages names no language.");
        }

        if (options.Purposes.Count == 0)
        {
            failures.Add("Consents:Purposes names no purpose.");
        }

        if (options.VerbalMaximum <= TimeSpan.Zero || options.VerbalMaximum > TimeSpan.FromDays(30))
        {
            failures.Add("Consents:VerbalMaximum must be between zero and 30 days.");
        }

        foreach (var (code, purpose) in options.Purposes)
        {
            if (string.IsNullOrWhiteSpace(purpose.Code))
            {
                failures.Add($"Purpose '{code}' has no code.");
            }
            else if (!Consent.Policies.PurposesOfUse.IsKnown(purpose.Code))
            {
                // A purpose the policy does not know is denied on every read (unknown-purpose): refuse to start instead.
                failures.Add($"Purpose '{code}' has code '{purpose.Code}', which the sharing policy does not know "
                    + $"(it knows {string.Join(", ", Consent.Policies.PurposesOfUse.All)}); add it to src/Policies/Vocabulary.cs and the Rego bundle first.");
            }

            if (purpose.DefaultDuration <= TimeSpan.Zero || purpose.DefaultDuration > purpose.MaximumDuration)
            {
                failures.Add($"Purpose '{code}': the default duration must be positive and at most the maximum.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
