using System.Text.Json;
using System.Text.RegularExpressions;

namespace Consent.Policies.Tests;

public sealed partial class EmbeddedEvaluatorTests
{
    [Theory]
    [InlineData("2007-06-16", "2025-06-15T23:59:59Z", true)]
    [InlineData("2007-06-15", "2025-06-15T00:00:00Z", false)]
    [InlineData("2007-06-15", "2025-06-14T23:59:59Z", true)]
    [InlineData("2008-02-29", "2026-02-28T12:00:00Z", true)]
    [InlineData("2008-02-29", "2026-03-01T00:00:00Z", false)]
    [InlineData("1990-01-01", "2025-06-15T12:00:00Z", false)]
    public void IsMinor_CountsAgeOnTheUtcDate(string dateOfBirth, string now, bool minor) =>
        EmbeddedPolicyEvaluator.IsMinor(DateOnly.Parse(dateOfBirth, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBe(minor);

    [Fact]
    public void IsMinor_UnknownDateOfBirth_IsNotAMinor() =>
        EmbeddedPolicyEvaluator.IsMinor(null, DateTimeOffset.UnixEpoch).ShouldBeFalse();

    [Fact]
    public void Decide_TimeInAnotherOffset_IsTheSameInstant()
    {
        var vector = DecisionVector.Named("deny-grant-ends-exactly-now");
        var input = vector.Input with { Time = vector.Input.Time.ToOffset(TimeSpan.FromHours(-5)) };

        vector.ShouldMatch(EmbeddedPolicyEvaluator.Decide(input));
    }

    [Fact]
    public void Decide_RevokingTheOnlyGrant_TurnsAPermitIntoADeny()
    {
        var input = DecisionVector.Named("permit-grant-and-mou").Input;
        var revoked = input with
        {
            Facts = input.Facts with { Grants = [input.Facts.Grants[0] with { Status = GrantStatuses.Revoked }] },
        };

        EmbeddedPolicyEvaluator.Decide(input).IsPermit.ShouldBeTrue();
        var decision = EmbeddedPolicyEvaluator.Decide(revoked);
        decision.IsPermit.ShouldBeFalse();
        decision.Reasons.ShouldBe([PolicyReasons.NoConsentOrBasis]);
        decision.Obligations.ShouldBe(PolicyObligations.None);
    }

    [Fact]
    public void Decide_NullCollectionsInFacts_AreTreatedAsEmpty()
    {
        var input = DecisionVector.Named("permit-grant-and-mou").Input;
        var sparse = input with { Facts = new PolicyFacts { Grants = null!, Mous = null!, StatutoryBases = null!, DenyList = null! } };

        EmbeddedPolicyEvaluator.Decide(sparse).Reasons.ShouldBe([PolicyReasons.NoActiveMou, PolicyReasons.NoConsentOrBasis]);
    }

    [Fact]
    public void Decide_AllocatesLittle()
    {
        var input = DecisionVector.Named("permit-grant-and-mou").Input;
        for (var i = 0; i < 1_000; i++)
        {
            EmbeddedPolicyEvaluator.Decide(input);
        }

        const int Decisions = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Decisions; i++)
        {
            EmbeddedPolicyEvaluator.Decide(input);
        }

        var perDecision = (GC.GetAllocatedBytesForCurrentThread() - before) / Decisions;
        // A permit allocates its decision, obligations, reason list and the reason strings; nothing per fact.
        perDecision.ShouldBeLessThan(600);
    }

    [Fact]
    public void Decide_DenyByDenyList_AllocatesNothing()
    {
        var input = DecisionVector.Named("deny-deny-list-names-recipient").Input;
        EmbeddedPolicyEvaluator.Decide(input);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            EmbeddedPolicyEvaluator.Decide(input);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }

    [Fact]
    public void PolicyVersion_IsTheOneTheRegoBundleDeclares()
    {
        var rego = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rego", "consent", "decision", "decision.rego"));

        var declared = PolicyVersionLine().Match(rego);

        declared.Success.ShouldBeTrue("decision.rego declares policyVersion");
        declared.Groups[1].Value.ShouldBe(PolicyVersion.Current);
    }

    [Fact]
    public void RegoVocabulary_IsTheOneTheEvaluatorUses()
    {
        var rego = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rego", "consent", "rules", "rules.rego"));

        SetNamed(rego, "agency_types").ShouldBe(AgencyTypes.All, ignoreOrder: true);
        SetNamed(rego, "purposes").ShouldBe(PurposesOfUse.All, ignoreOrder: true);
        SetNamed(rego, "sensitive_labels").ShouldBe(SecurityLabels.Sensitive, ignoreOrder: true);
        SetNamed(rego, "child_protection_case_roles").ShouldBe(CaseRoles.ChildProtectionCase, ignoreOrder: true);
    }

    [Fact]
    public void PolicyJson_WritesTheShapeTheRegoBundleReads()
    {
        var input = DecisionVector.Named("permit-51a-therapist-reads-dcf").Input;

        using var written = JsonDocument.Parse(PolicyJson.Serialize(input));
        var root = written.RootElement;

        root.GetProperty("request").GetProperty("purposeOfUse").GetString().ShouldBe("CHILDPROT");
        root.GetProperty("facts").GetProperty("survivor").GetProperty("dateOfBirth").GetString().ShouldBe("2009-02-10");
        root.GetProperty("facts").GetProperty("statutoryBases")[0].TryGetProperty("closedAt", out _).ShouldBeFalse("absent, not null");
        DateTimeOffset.Parse(root.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(input.Time);
        root.GetProperty("request").TryGetProperty("breakGlassReason", out _).ShouldBeFalse();
    }

    [Fact]
    public void PolicyJson_LeavesOutAnUnsetTime_SoOpaDeniesItToo()
    {
        var input = DecisionVector.Named("deny-missing-time").Input;

        using var written = JsonDocument.Parse(PolicyJson.Serialize(input));

        written.RootElement.TryGetProperty("time", out _).ShouldBeFalse();
    }

    private static string[] SetNamed(string rego, string name)
    {
        var match = Regex.Match(rego, "^" + name + @" := \{(?<items>[^}]*)\}", RegexOptions.Multiline);
        match.Success.ShouldBeTrue($"rules.rego defines {name}");
        return Regex.Matches(match.Groups["items"].Value, "\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
    }

    [GeneratedRegex("^policyVersion := \"([^\"]+)\"", RegexOptions.Multiline)]
    private static partial Regex PolicyVersionLine();
}
