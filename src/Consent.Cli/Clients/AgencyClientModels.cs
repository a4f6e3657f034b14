using System.Text.Json;
using System.Text.Json.Serialization;

namespace Consent.Cli.Clients;

/// <summary>The kinds of system client the identity provider registers (src/Identity/Clients/ClientKinds.cs).</summary>
public static class ClientKinds
{
    public const string AgencySystem = "agency-system";
    public const string ConsentDirectory = "consent-directory";
}

/// <summary>The identity provider's registration request (<c>POST /api/clients</c>).</summary>
public sealed record RegisterAgencyClient(
    string AgencyId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? PublicJwk,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JwksUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Scopes,
    bool IssueSecret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Kind = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PurposeOfUse = null);

/// <summary>
/// A registered client: an agency system, or a consent directory with its purpose of use. The secret is present once,
/// in the registration answer.
/// </summary>
public sealed record AgencyClient(
    string ClientId,
    string AgencyId,
    string? Kind,
    string? PurposeOfUse,
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
