using System.Globalization;
using System.Reflection;

namespace Consent.ServiceDefaults;

/// <summary>The languages an app speaks: its default one plus each with a satellite resource assembly beside the app.</summary>
public static class SatelliteCultures
{
    public static IEnumerable<string> Available(Assembly assembly, string defaultCulture)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        yield return defaultCulture;
        var directory = Path.GetDirectoryName(assembly.Location);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
        {
            yield break;
        }

        var satellite = assembly.GetName().Name + ".resources.dll";
        foreach (var candidate in Directory.EnumerateDirectories(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (candidate is null || candidate == defaultCulture || !File.Exists(Path.Combine(directory, candidate, satellite)))
            {
                continue;
            }

            CultureInfo culture;
            try
            {
                culture = CultureInfo.GetCultureInfo(candidate, predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                continue;
            }

            yield return culture.Name;
        }
    }
}
