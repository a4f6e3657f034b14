namespace Consent.Identity.Security;

/// <summary>
/// The last 30-second time step whose authenticator code a user has signed in with. A code is accepted only
/// for a later step, so an observed or phished code cannot be used a second time.
/// </summary>
public sealed class AuthenticatorStep
{
    private AuthenticatorStep() { UserId = ""; }

    public AuthenticatorStep(string userId, long lastStep)
    {
        UserId = userId;
        LastStep = lastStep;
    }

    public string UserId { get; private set; }

    /// <summary>Unix seconds divided by 30 (RFC 6238's T).</summary>
    public long LastStep { get; private set; }
}
