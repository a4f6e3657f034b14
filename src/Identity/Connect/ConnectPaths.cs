using OpenIddict.Server;

namespace Consent.Identity.Connect;

/// <summary>The OpenID Connect endpoints of the provider, relative to the issuer.</summary>
public static class ConnectPaths
{
    public const string Authorize = "connect/authorize";
    public const string Token = "connect/token";
    public const string EndSession = "connect/logout";
    public const string UserInfo = "connect/userinfo";
    public const string Introspect = "connect/introspect";
    public const string Revoke = "connect/revoke";

    public static Uri? EndpointUri(Uri? issuer, OpenIddictServerEndpointType endpoint)
    {
        if (issuer is null)
        {
            return null;
        }

        var baseUri = issuer.AbsoluteUri.EndsWith('/') ? issuer : new Uri(issuer.AbsoluteUri + "/");
        return endpoint switch
        {
            OpenIddictServerEndpointType.Token => new Uri(baseUri, Token),
            OpenIddictServerEndpointType.Introspection => new Uri(baseUri, Introspect),
            OpenIddictServerEndpointType.Revocation => new Uri(baseUri, Revoke),
            _ => null,
        };
    }
}
