namespace Consent.Policies.Tests;

public sealed class EmbeddedEvaluatorVectorTests
{
    public static TheoryData<string> Vectors => DecisionVector.Names();

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Vector(string name)
    {
        var vector = DecisionVector.Named(name);

        var decision = await new EmbeddedPolicyEvaluator().DecideAsync(vector.Input);

        vector.ShouldMatch(decision);
    }

    [Fact]
    public void Vectors_AreAtLeastSixty_AndEachStatesWhatItChecks()
    {
        var vectors = DecisionVector.Every;

        vectors.Count.ShouldBeGreaterThanOrEqualTo(60);
        vectors.ShouldAllBe(v => v.Description.Length > 10 && v.ExpectedReasons.Count > 0);
        vectors.Where(v => v.ExpectedEffect == PolicyEffect.Permit).ShouldAllBe(v => v.ExpectedObligations != null);
    }

    [Fact]
    public void Vectors_NameTheirDecision()
    {
        // A file called deny-... must expect a deny, and permit-... a permit, so a reader can trust the name.
        foreach (var vector in DecisionVector.Every)
        {
            var prefix = vector.ExpectedEffect == PolicyEffect.Permit ? "permit-" : "deny-";
            vector.Name.ShouldStartWith(prefix, customMessage: vector.Name);
        }
    }

    [Fact]
    public void Vectors_CoverEveryDenyReasonOfTheRule()
    {
        var reasons = DecisionVector.Every.SelectMany(v => v.ExpectedReasons).ToHashSet(StringComparer.Ordinal);

        foreach (var reason in new[]
        {
            PolicyReasons.DenyList, PolicyReasons.NoActiveMou, PolicyReasons.NoConsentOrBasis, PolicyReasons.BreakGlassNotAllowed,
            PolicyReasons.UnknownAgencyType, PolicyReasons.UnknownPurpose, PolicyReasons.BreakGlass, PolicyReasons.OwnRecord,
        })
        {
            reasons.ShouldContain(reason);
        }

        foreach (var label in SecurityLabels.Sensitive)
        {
            reasons.ShouldContain(PolicyReasons.LabelNotCoveredPrefix + label);
        }
    }
}
