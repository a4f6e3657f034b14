namespace Consent.Policies;

/// <summary>
/// When a survivor comes of age: the 18th birthday, on the UTC date, with someone born on 29 February turning 18 on
/// 1 March in a common year (the answer the Rego bundle gives). The one rule the policy, the API's survivor records and
/// the FHIR Consent export share.
/// </summary>
public static class Majority
{
    public const int Age = 18;

    /// <summary>The first day on which someone born on <paramref name="dateOfBirth"/> is an adult.</summary>
    public static DateOnly FirstAdultDay(DateOnly dateOfBirth)
    {
        var year = dateOfBirth.Year + Age;
        return dateOfBirth is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(year)
            ? new DateOnly(year, 3, 1)
            : new DateOnly(year, dateOfBirth.Month, dateOfBirth.Day);
    }

    /// <summary>The moment of coming of age (midnight UTC of the first adult day); none when the date of birth is unknown.</summary>
    public static DateTimeOffset? Adulthood(DateOnly? dateOfBirth) =>
        dateOfBirth is { } born ? new DateTimeOffset(FirstAdultDay(born).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;

    /// <summary>A minor on that day; someone whose date of birth is unknown is not.</summary>
    public static bool IsMinorOn(DateOnly? dateOfBirth, DateOnly day) => dateOfBirth is { } born && day < FirstAdultDay(born);

    /// <summary>A minor at that moment, counted on its UTC date.</summary>
    public static bool IsMinor(DateOnly? dateOfBirth, DateTimeOffset now) => IsMinorOn(dateOfBirth, DateOnly.FromDateTime(now.UtcDateTime));
}
