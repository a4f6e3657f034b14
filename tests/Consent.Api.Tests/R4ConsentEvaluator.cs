using System.Globalization;
using System.Text.Json;

namespace Consent.Api.Tests;

/// <summary>One read a consent decision service is asked about: who asks, for what, about which record.</summary>
public sealed record ConsentQuestion(
    string RecipientAgencyId, string SourceAgencyId, string PurposeSystem, string PurposeCode, string ResourceType, string? Category,
    IReadOnlyList<string> Labels, DateTimeOffset At);

/// <summary>
/// An evaluator of FHIR R4 Consent resources written for the tests, apart from the platform's code: it reads the JSON
/// as a consent decision service does and follows the R4 rules pattern. Only <c>active</c> Consents count; a Consent's
/// root provision is its base rule, and a nested provision that matches the question overrides the provision it is
/// nested in (the deepest match decides). A provision matches when every condition it states holds: its period holds
/// the time; each actor role it names (IRCP recipient, CST custodian) includes the agency in that role; its purposes
/// include the purpose; its classes include the resource type; its codes include the record's data category; its
/// security labels include one of the record's labels. Among Consents whose decision comes from a nested provision, the
/// most recent (<c>dateTime</c>) wins; when none has one, the answer is deny.
/// </summary>
public static class R4ConsentEvaluator
{
    public const string CategorySystem = "https://consent.example/fhir/CodeSystem/data-category";

    public static bool Permits(IEnumerable<JsonElement> consents, ConsentQuestion question)
    {
        (DateTimeOffset At, bool Permit)? latest = null;
        foreach (var consent in consents)
        {
            if (consent.GetProperty("resourceType").GetString() != "Consent" || Text(consent, "status") != "active")
            {
                continue;
            }

            if (!consent.TryGetProperty("provision", out var root) || Decide(root, question, depth: 0) is not { Depth: > 0 } decided)
            {
                continue;
            }

            var at = DateTimeOffset.Parse(consent.GetProperty("dateTime").GetString()!, CultureInfo.InvariantCulture);
            if (latest is null || at > latest.Value.At)
            {
                latest = (at, decided.Permit);
            }
        }

        return latest is { Permit: true };
    }

    /// <summary>The decision of the deepest matching provision under (and including) this one; null when this one does not match.</summary>
    private static (bool Permit, int Depth)? Decide(JsonElement provision, ConsentQuestion question, int depth)
    {
        if (!Matches(provision, question))
        {
            return null;
        }

        (bool Permit, int Depth) best = (Text(provision, "type") == "permit", depth);
        if (provision.TryGetProperty("provision", out var nested))
        {
            foreach (var child in nested.EnumerateArray())
            {
                if (Decide(child, question, depth + 1) is { } decided && decided.Depth > best.Depth)
                {
                    best = decided;
                }
            }
        }

        return best;
    }

    private static bool Matches(JsonElement provision, ConsentQuestion q)
    {
        if (provision.TryGetProperty("period", out var period))
        {
            if (period.TryGetProperty("start", out var start) && q.At < DateTimeOffset.Parse(start.GetString()!, CultureInfo.InvariantCulture))
            {
                return false;
            }

            if (period.TryGetProperty("end", out var end) && q.At >= DateTimeOffset.Parse(end.GetString()!, CultureInfo.InvariantCulture))
            {
                return false;
            }
        }

        if (provision.TryGetProperty("actor", out var actors))
        {
            var byRole = actors.EnumerateArray().GroupBy(a => a.GetProperty("role").GetProperty("coding")[0].GetProperty("code").GetString());
            foreach (var role in byRole)
            {
                var agencies = role.Select(a => a.GetProperty("reference").GetProperty("reference").GetString()).ToList();
                var wanted = role.Key switch
                {
                    "IRCP" => "Organization/" + q.RecipientAgencyId,
                    "CST" => "Organization/" + q.SourceAgencyId,
                    _ => null,
                };
                if (wanted is null || !agencies.Contains(wanted))
                {
                    return false;
                }
            }
        }

        if (provision.TryGetProperty("purpose", out var purposes)
            && !purposes.EnumerateArray().Any(p => Text(p, "code") == q.PurposeCode && Text(p, "system") == q.PurposeSystem))
        {
            return false;
        }

        if (provision.TryGetProperty("class", out var classes) && !classes.EnumerateArray().Any(c => Text(c, "code") == q.ResourceType))
        {
            return false;
        }

        if (provision.TryGetProperty("code", out var codes)
            && !codes.EnumerateArray().Any(concept => concept.GetProperty("coding").EnumerateArray()
                .Any(c => Text(c, "system") == CategorySystem && Text(c, "code") == q.Category)))
        {
            return false;
        }

        return !provision.TryGetProperty("securityLabel", out var labels)
            || labels.EnumerateArray().Any(l => q.Labels.Contains(Text(l, "code")!, StringComparer.OrdinalIgnoreCase));
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
