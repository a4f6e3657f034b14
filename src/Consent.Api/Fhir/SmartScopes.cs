using System.Security.Claims;
using OpenIddict.Abstractions;

namespace Consent.Api.Fhir;

/// <summary>SMART on FHIR v2 scopes (<c>system/Observation.rs</c>, <c>system/*.cruds</c>) and their v1 forms (<c>.read</c>, <c>.write</c>, <c>.*</c>).</summary>
public static class SmartScopes
{
    public const char Create = 'c';
    public const char Read = 'r';
    public const char Update = 'u';
    public const char Search = 's';

    /// <summary>Whether the token's scopes allow <paramref name="permission"/> on <paramref name="resourceType"/> for a system client.</summary>
    public static bool Allow(ClaimsPrincipal user, string resourceType, char permission)
    {
        ArgumentNullException.ThrowIfNull(user);
        foreach (var scope in user.GetScopes())
        {
            if (Allows(scope, resourceType, permission))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Allows(string scope, string resourceType, char permission)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (!scope.StartsWith("system/", StringComparison.Ordinal))
        {
            return false;
        }

        var dot = scope.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return false;
        }

        var type = scope[7..dot];
        if (type != "*" && !string.Equals(type, resourceType, StringComparison.Ordinal))
        {
            return false;
        }

        var rights = scope[(dot + 1)..];
        return rights switch
        {
            "*" => true,
            "read" => permission is Read or Search,
            "write" => permission is Create or Update,
            _ => IsV2(rights) && rights.Contains(permission, StringComparison.Ordinal),
        };
    }

    // v2 permissions are a subset of "cruds" in that order.
    private static bool IsV2(string rights)
    {
        var at = 0;
        foreach (var c in rights)
        {
            var next = "cruds".IndexOf(c, at);
            if (next < 0)
            {
                return false;
            }

            at = next + 1;
        }

        return rights.Length > 0;
    }
}
