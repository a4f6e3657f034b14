namespace Consent.Policies.Tests;

/// <summary>A permit's reasons come back as typed bases; a deny (and an agency's own record) has none.</summary>
public sealed class PolicyBasisTests
{
    [Fact]
    public void APermit_NamesItsGrantsMousStatutoryBasesAndEmergency_InReasonOrder()
    {
        var decision = new PolicyDecision(PolicyEffect.Permit,
            ["break-glass", "grant:g-1", "mou:m-1", "statutory-basis:s-1", "grant:g-2"], PolicyObligations.None, "1.0.0");

        decision.Bases.ShouldBe(
        [
            new PolicyBasis(PolicyBasisKind.BreakGlass, null),
            new PolicyBasis(PolicyBasisKind.Grant, "g-1"),
            new PolicyBasis(PolicyBasisKind.Mou, "m-1"),
            new PolicyBasis(PolicyBasisKind.StatutoryBasis, "s-1"),
            new PolicyBasis(PolicyBasisKind.Grant, "g-2"),
        ]);
    }

    [Fact]
    public void ADeny_AndAnOwnRecord_HaveNoBasis()
    {
        PolicyDecision.Deny(["deny-list", "grant:g-1"]).Bases.ShouldBeEmpty();
        new PolicyDecision(PolicyEffect.Permit, ["own-record"], PolicyObligations.None, "1.0.0").Bases.ShouldBeEmpty();
    }

    [Fact]
    public void TheEmbeddedEvaluator_PermitsWithTypedBases()
    {
        var decision = EmbeddedPolicyEvaluator.Decide(DecisionVector.Named("permit-grant-and-mou").Input);

        decision.IsPermit.ShouldBeTrue();
        decision.Bases.Select(b => b.Kind).Order().ShouldBe([PolicyBasisKind.Grant, PolicyBasisKind.Mou]);
        decision.Bases.ShouldAllBe(b => !string.IsNullOrEmpty(b.Id));
    }
}
