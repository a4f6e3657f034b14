namespace Consent.Identity.Security;

/// <summary>
/// A client assertion id (<c>jti</c>) that has been presented once. Its primary key (client, jti) makes a
/// second presentation fail on insert, so replay is refused even with several Identity instances.
/// </summary>
public sealed class SpentAssertion
{
    private SpentAssertion() { ClientId = TokenId = ""; }

    public SpentAssertion(string clientId, string tokenId, DateTimeOffset expiresAt)
    {
        ClientId = clientId;
        TokenId = tokenId;
        ExpiresAtUnix = expiresAt.ToUnixTimeSeconds();
    }

    public string ClientId { get; private set; }
    public string TokenId { get; private set; }

    /// <summary>Unix seconds (SQLite cannot compare DateTimeOffset values).</summary>
    public long ExpiresAtUnix { get; private set; }
}
