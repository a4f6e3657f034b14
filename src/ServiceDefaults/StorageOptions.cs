namespace Consent.ServiceDefaults;

/// <summary>Where an app keeps its files (SQLite databases, keys, logs and demo credentials) and which database it uses.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The data directory; relative paths are resolved against the content root.</summary>
    public string DataDirectory { get; set; } = "../../.data";

    /// <summary>
    /// The database provider. SQLite keeps its file under the data directory unless <c>ConnectionStrings</c> names one;
    /// PostgreSQL needs the connection string. Identity keeps its tables and key ring there, the portal its key ring only.
    /// </summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    public string Resolve(string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(DataDirectory) ? DataDirectory : Path.Combine(contentRoot, DataDirectory));
}

public enum StorageProvider
{
    Sqlite,
    Postgres,
}
