using System.Text.Json;

namespace Consent.Cli.Clients;

/// <summary>The platform operator's client (client_credentials with <c>platform/clients.manage</c>).</summary>
public sealed record OperatorCredentials(string ClientId, string ClientSecret, string Scope)
{
    public const string ManageClientsScope = "platform/clients.manage";
    public const string DefaultFile = ".data/demo/platform-client.json";
    public const string IdVariable = "CONSENT_OPERATOR_ID";
    public const string SecretVariable = "CONSENT_OPERATOR_SECRET";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Explicit id and secret (options or environment) win; otherwise the credentials file, as the demo
    /// writes it (<c>{ "clientId", "clientSecret", "scope" }</c>).
    /// </summary>
    public static (OperatorCredentials? Credentials, string? Problem) Resolve(string? clientId, string? clientSecret, string file)
    {
        clientId ??= Environment.GetEnvironmentVariable(IdVariable);
        clientSecret ??= Environment.GetEnvironmentVariable(SecretVariable);
        if (!string.IsNullOrEmpty(clientId) || !string.IsNullOrEmpty(clientSecret))
        {
            return string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret)
                ? (null, $"Give both the operator client id and secret (--operator-id/--operator-secret or {IdVariable}/{SecretVariable}).")
                : (new OperatorCredentials(clientId, clientSecret, ManageClientsScope), null);
        }

        if (!File.Exists(file))
        {
            return (null, $"No operator credentials: {Path.GetFullPath(file)} does not exist. Pass --platform-client <file>, " +
                          $"or --operator-id and --operator-secret (or set {IdVariable} and {SecretVariable}).");
        }

        try
        {
            var stored = JsonSerializer.Deserialize<OperatorCredentials>(File.ReadAllText(file), Json);
            return stored is { ClientId.Length: > 0, ClientSecret.Length: > 0 }
                ? (stored with { Scope = string.IsNullOrWhiteSpace(stored.Scope) ? ManageClientsScope : stored.Scope }, null)
                : (null, $"{file} must hold clientId and clientSecret.");
        }
        catch (JsonException)
        {
            return (null, $"{file} is not valid JSON.");
        }
    }
}
