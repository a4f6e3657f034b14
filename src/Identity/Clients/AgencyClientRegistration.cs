using System.Text.Json;
using System.Text.Json.Serialization;

namespace Consent.Identity.Clients;

/// <summary>What a platform admin submits to register an agency system.</summary>
public sealed record RegisterAgencyClient(
    string AgencyId,
    string? ClientId,
    string? DisplayName,
    JsonElement? PublicJwk,
    string? JwksUrl,
    IReadOnlyList<string>? Scopes,
    bool IssueSecret = false);

/// <summary>The registered client; the secret appears once, at registration.</summary>
public sealed record RegisteredAgencyClient(
    string ClientId,
    string AgencyId,
    string DisplayName,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> KeyIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret);

/// <summary>A new public key for a registered system (<c>PUT /api/clients/{clientId}/keys</c>); it replaces the old ones.</summary>
public sealed record ReplaceAgencyClientKey(JsonElement? PublicJwk);
