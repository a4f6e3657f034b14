using System.Text.Json;
using System.Text.Json.Serialization;

namespace Consent.Identity.Clients;

/// <summary>
/// What a platform admin submits to register a system client. <see cref="Kind"/> is <c>agency-system</c> (when absent)
/// or <c>consent-directory</c>; a consent directory names the agency operating it and its one purpose of use.
/// </summary>
public sealed record RegisterAgencyClient(
    string AgencyId,
    string? ClientId,
    string? DisplayName,
    JsonElement? PublicJwk,
    string? JwksUrl,
    IReadOnlyList<string>? Scopes,
    bool IssueSecret = false,
    string? Kind = null,
    string? PurposeOfUse = null);

/// <summary>The registered client; the secret appears once, at registration.</summary>
public sealed record RegisteredAgencyClient(
    string ClientId,
    string AgencyId,
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PurposeOfUse,
    string DisplayName,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> KeyIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret);

/// <summary>A new public key for a registered system (<c>PUT /api/clients/{clientId}/keys</c>); it replaces the old ones.</summary>
public sealed record ReplaceAgencyClientKey(JsonElement? PublicJwk);
