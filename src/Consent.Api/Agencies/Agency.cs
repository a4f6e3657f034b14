namespace Consent.Api.Agencies;

/// <summary>An organisation that holds or receives survivors' records.</summary>
public sealed class Agency
{
    /// <summary>The kinds of agency: the policy's list, so that an agency the API accepts is one the policy knows.</summary>
    public static IReadOnlyList<string> Types => Consent.Policies.AgencyTypes.All;

    private Agency()
    {
    }

    public Agency(string id, string name, string type, string? region, IEnumerable<string> languages, string? pointOfContact)
    {
        Id = id;
        Update(name, type, region, languages, pointOfContact);
        Active = true;
    }

    public string Id { get; private set; } = "";

    public string Name { get; private set; } = "";

    public string Type { get; private set; } = "";

    public string? Region { get; private set; }

    public List<string> Languages { get; private set; } = [];

    /// <summary>A role or desk (e.g. "intake line"), not a person's name.</summary>
    public string? PointOfContact { get; private set; }

    public bool Active { get; private set; }

    public void Update(string name, string type, string? region, IEnumerable<string> languages, string? pointOfContact)
    {
        Name = name;
        Type = type;
        Region = region;
        Languages = [.. languages.Distinct(StringComparer.Ordinal)];
        PointOfContact = pointOfContact;
    }

    public void SetActive(bool active) => Active = active;
}
