using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OpenIddict.Abstractions;
using OpenIddict.Client;
using static OpenIddict.Client.AspNetCore.OpenIddictClientAspNetCoreConstants;

namespace Consent.Portal.SignIn;

/// <summary>
/// The signed-in person's access token for calls to the consent API. Access tokens live minutes; when one
/// is about to expire it is renewed with the refresh token (which the provider rotates) and the session
/// cookie is updated with the new pair.
/// </summary>
public sealed partial class UserTokens(
    IHttpContextAccessor accessor,
    OpenIddictClientService client,
    TimeProvider time,
    ILogger<UserTokens> logger)
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromSeconds(30);

    /// <summary>A usable access token, or null when the session has none left (the person must sign in again).</summary>
    public async Task<string?> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("No request in progress.");
        var session = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (session is not { Succeeded: true, Principal: { } principal, Properties: { } properties })
        {
            return null;
        }

        var accessToken = properties.GetTokenValue(Tokens.BackchannelAccessToken);
        var expires = DateTimeOffset.TryParse(properties.GetTokenValue(Tokens.BackchannelAccessTokenExpirationDate),
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
        if (!string.IsNullOrEmpty(accessToken) && (expires is null || expires.Value - RenewBefore > time.GetUtcNow()))
        {
            return accessToken;
        }

        if (properties.GetTokenValue(Tokens.RefreshToken) is not { Length: > 0 } refreshToken)
        {
            return null;
        }

        OpenIddictClientModels.RefreshTokenAuthenticationResult renewed;
        try
        {
            renewed = await client.AuthenticateWithRefreshTokenAsync(new()
            {
                RefreshToken = refreshToken,
                DisableUserInfo = true,
                CancellationToken = cancellationToken,
            });
        }
        catch (Exception exception) when (exception is OpenIddictExceptions.ProtocolException or HttpRequestException or InvalidOperationException)
        {
            LogRenewalFailed(logger, exception.GetType().Name);
            return null;
        }

        SetToken(properties, Tokens.BackchannelAccessToken, renewed.AccessToken);
        if (renewed.AccessTokenExpirationDate is { } expiration)
        {
            SetToken(properties, Tokens.BackchannelAccessTokenExpirationDate, expiration.ToString("o", CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(renewed.RefreshToken))
        {
            SetToken(properties, Tokens.RefreshToken, renewed.RefreshToken);
        }

        if (!string.IsNullOrEmpty(renewed.IdentityToken))
        {
            SetToken(properties, Tokens.BackchannelIdentityToken, renewed.IdentityToken);
        }

        if (!http.Response.HasStarted)
        {
            properties.RedirectUri = null;
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, properties);
        }

        return renewed.AccessToken;
    }

    private static void SetToken(AuthenticationProperties properties, string name, string value)
    {
        if (!properties.UpdateTokenValue(name, value))
        {
            var tokens = properties.GetTokens().ToList();
            tokens.Add(new AuthenticationToken { Name = name, Value = value });
            properties.StoreTokens(tokens);
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Access token renewal failed: {Reason}")]
    private static partial void LogRenewalFailed(ILogger logger, string reason);
}
