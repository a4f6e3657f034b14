using System.Text.Json;
using System.Text.Json.Serialization;

namespace Consent.Cli.Clients;

/// <summary>The identity provider's registration request (<c>POST /api/clients</c>).</summary>
public sealed record RegisterAgencyClient(
    string AgencyId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? PublicJwk,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JwksUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Scopes,
    bool IssueSecret);

/// <summary>A registered agency client; the secret is present once, in the registration answer.</summary>
public sealed record AgencyClient(
    string ClientId,
    string AgencyId,
    string DisplayName,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> KeyIds,
    string? ClientSecret);

/// <summary>An RFC 9457 problem, with the per-field errors of a validation problem.</summary>
public sealed record Problem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    Dictionary<string, string[]>? Errors);

/// <summary>An RFC 6749 error response from the token endpoint.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? Description);
