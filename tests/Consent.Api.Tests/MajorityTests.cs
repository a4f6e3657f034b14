using Consent.Api.Survivors;
using Consent.Policies;

namespace Consent.Api.Tests;

/// <summary>
/// One rule for coming of age, read by the policy, the survivor record (who decides for a minor, whether a 51A report
/// may be filed) and the 51A Consent's end: someone born on 29 February is a minor until 1 March of a common year.
/// </summary>
public sealed class MajorityTests
{
    [Theory]
    [InlineData("2008-02-29", "2026-02-28", true)]
    [InlineData("2008-02-29", "2026-03-01", false)]
    [InlineData("2012-02-29", "2030-02-28", true)]
    [InlineData("2012-02-29", "2030-03-01", false)]
    [InlineData("2010-06-15", "2028-06-14", true)]
    [InlineData("2010-06-15", "2028-06-15", false)]
    public void TheSurvivorRecord_ThePolicy_AndTheConsentExport_AgreeOnTheDayOfComingOfAge(string born, string day, bool minor)
    {
        var dateOfBirth = DateOnly.Parse(born, System.Globalization.CultureInfo.InvariantCulture);
        var date = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        var survivor = new Survivor("sv-majority", "harbor-house", "en", dateOfBirth, null, "test", DateTimeOffset.UnixEpoch);
        var noon = new DateTimeOffset(date.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

        survivor.IsMinorOn(date).ShouldBe(minor);
        Majority.IsMinor(dateOfBirth, noon).ShouldBe(minor);
        (noon < Majority.Adulthood(dateOfBirth)!.Value).ShouldBe(minor);
    }
}
