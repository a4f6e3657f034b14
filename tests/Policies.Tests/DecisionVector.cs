using System.Text.Json;

namespace Consent.Policies.Tests;

/// <summary>One file of src/Policies/vectors: an input and the decision both evaluators must give.</summary>
public sealed record DecisionVector(
    string Name,
    string Description,
    string InputJson,
    PolicyInput Input,
    PolicyEffect ExpectedEffect,
    IReadOnlyList<string> ExpectedReasons,
    PolicyObligations? ExpectedObligations)
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "vectors");

    private static readonly Lazy<IReadOnlyDictionary<string, DecisionVector>> All = new(() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json")
            .Select(Load)
            .ToDictionary(v => v.Name, StringComparer.Ordinal));

    public static IReadOnlyCollection<DecisionVector> Every => All.Value.Values.ToList();

    public static DecisionVector Named(string name) => All.Value[name];

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var name in All.Value.Keys.Order(StringComparer.Ordinal))
        {
            names.Add(name);
        }

        return names;
    }

    private static DecisionVector Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var inputJson = root.GetProperty("input").GetRawText();
        var expected = root.GetProperty("expected");
        var effect = expected.GetProperty("decision").GetString() switch
        {
            "permit" => PolicyEffect.Permit,
            "deny" => PolicyEffect.Deny,
            var other => throw new InvalidDataException($"{path}: decision '{other}' is neither permit nor deny"),
        };

        PolicyObligations? obligations = null;
        if (expected.TryGetProperty("obligations", out var o))
        {
            obligations = new PolicyObligations
            {
                ResourceTypes = Strings(o.GetProperty("resourceTypes")),
                Labels = Strings(o.GetProperty("labels")),
                RedactLabels = Strings(o.GetProperty("redactLabels")),
                BreakGlass = o.GetProperty("breakGlass").GetBoolean(),
                RedisclosureNotice = o.GetProperty("redisclosureNotice").GetBoolean(),
            };
        }

        return new DecisionVector(
            Path.GetFileNameWithoutExtension(path),
            root.GetProperty("description").GetString() ?? "",
            inputJson,
            PolicyJson.Deserialize(inputJson) ?? throw new InvalidDataException($"{path}: no input"),
            effect,
            Strings(expected.GetProperty("reasons")),
            obligations);
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    /// <summary>Checks a decision against this vector: effect, reasons as a set, obligations where given.</summary>
    public void ShouldMatch(PolicyDecision decision)
    {
        var context = $"vector {Name}: {Description}";
        decision.Effect.ShouldBe(ExpectedEffect, context);
        decision.Reasons.Order(StringComparer.Ordinal).ShouldBe(ExpectedReasons.Order(StringComparer.Ordinal), context);
        decision.PolicyVersion.ShouldBe(PolicyVersion.Current, context);
        if (ExpectedObligations is { } expected)
        {
            var actual = decision.Obligations;
            actual.ResourceTypes.ShouldBe(expected.ResourceTypes, context);
            actual.Labels.ShouldBe(expected.Labels, ignoreOrder: true, context);
            actual.RedactLabels.ShouldBe(expected.RedactLabels, ignoreOrder: true, context);
            actual.BreakGlass.ShouldBe(expected.BreakGlass, context);
            actual.RedisclosureNotice.ShouldBe(expected.RedisclosureNotice, context);
        }
        else if (ExpectedEffect == PolicyEffect.Deny)
        {
            decision.Obligations.ShouldBe(PolicyObligations.None, context);
        }
    }
}
