namespace Consent.ServiceDefaults;

/// <summary>Where an app keeps its files: SQLite databases, keys, logs and demo credentials.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The data directory; relative paths are resolved against the content root.</summary>
    public string DataDirectory { get; set; } = "../../.data";

    public string Resolve(string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(DataDirectory) ? DataDirectory : Path.Combine(contentRoot, DataDirectory));
}
