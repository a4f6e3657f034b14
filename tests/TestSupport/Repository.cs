namespace Consent.TestSupport;

/// <summary>The working copy the tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder holding Consent.sln, found upwards from the test assembly.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Consent.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Consent.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The configuration the tests were built in (Debug, Release), read from the test assembly's folder.</summary>
    public static string BuildConfiguration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
    }
}
