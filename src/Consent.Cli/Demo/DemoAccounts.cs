using System.Text.Json;

namespace Consent.Cli.Demo;

/// <summary>A demo user as the identity provider writes it to <c>demo/users.json</c> in Development.</summary>
internal sealed record DemoAccount(
    string UserName,
    string? Password = null,
    string? Role = null,
    string? AgencyId = null,
    string? SurvivorId = null,
    string? TotpSecret = null);

/// <summary>Reads the demo users file; every problem with it is a <see cref="CommandFailed"/> that says what to do.</summary>
internal static class DemoAccounts
{
    /// <summary>Under CONSENT_DATA_DIR when set (as for ./run.sh), else .data.</summary>
    public static string DefaultFile =>
        Path.Combine(Environment.GetEnvironmentVariable("CONSENT_DATA_DIR") is { Length: > 0 } data ? data : ".data", "demo", "users.json");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static async Task<DemoAccount> FindAsync(string file, string userName, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new CommandFailed($"{file} not found; start the demo with ./run.sh first (or pass --users-file).");
        }

        List<DemoAccount?>? accounts;
        try
        {
            accounts = JsonSerializer.Deserialize<List<DemoAccount?>>(await File.ReadAllTextAsync(file, cancellationToken), Json);
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CommandFailed($"{file} cannot be read as a demo users file: {exception.Message}");
        }

        return accounts?.FirstOrDefault(account => account?.UserName == userName)
            ?? throw new CommandFailed($"No demo user named '{userName}' in {file}.");
    }
}
