using System.Text.Json;

namespace Consent.Identity.Clients;

/// <summary>
/// What a system client's registration states about it, read from its application properties: the agency (for a
/// consent directory, the agency operating it), the kind, and a consent directory's purpose of use. A client
/// registered before kinds existed is an agency system.
/// </summary>
public sealed record AgencyClientProperties(string AgencyId, string Kind, string? PurposeOfUse)
{
    /// <summary>Null for a client registered for no agency (the platform's own clients).</summary>
    public static AgencyClientProperties? Read(IReadOnlyDictionary<string, JsonElement> properties)
    {
        if (!properties.TryGetValue(AgencyClientRegistrar.AgencyIdProperty, out var agency) || agency.GetString() is not { Length: > 0 } agencyId)
        {
            return null;
        }

        return new AgencyClientProperties(
            agencyId,
            properties.TryGetValue(AgencyClientRegistrar.ClientKindProperty, out var kind) ? kind.GetString() ?? "" : ClientKinds.AgencySystem,
            properties.TryGetValue(AgencyClientRegistrar.PurposeOfUseProperty, out var purpose) ? purpose.GetString() : null);
    }

    /// <summary>
    /// A kind the platform knows, with a purpose of use exactly when it is a consent directory: what registration
    /// guarantees, checked again before a token states it.
    /// </summary>
    public bool IsComplete => Kind switch
    {
        ClientKinds.AgencySystem => PurposeOfUse is null,
        ClientKinds.ConsentDirectory => PurposeOfUse is not null && ClientKinds.PurposeOfUseCode().IsMatch(PurposeOfUse),
        _ => false,
    };
}
