using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Consent.TestSupport;

/// <summary>
/// The PostgreSQL server the PostgreSQL tests use, one per test run, with a fresh database per test class. With
/// <c>CONSENT_TEST_POSTGRES</c> set (a connection string whose user may create databases) that server is used;
/// otherwise a throwaway one is made: <c>initdb</c> in a temporary folder, started by <c>pg_ctl</c> on a free port of
/// 127.0.0.1 (its socket in that folder too), stopped and removed when the test run ends. PostgreSQL refuses to run
/// as root, so under root initdb and pg_ctl run as the <c>postgres</c> user (or <c>nobody</c>), who owns the folder.
/// A detached watcher stops the server and removes the folder if the test process ends without doing so.
/// </summary>
public sealed class PostgresServer
{
    public const string ConnectionVariable = "CONSENT_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(() => StartAsync(durable: false));

    private readonly string adminConnectionString;
    private readonly string? folder;
    private readonly string? runAs;

    private PostgresServer(string adminConnectionString, string? folder, string? runAs)
    {
        this.adminConnectionString = adminConnectionString;
        this.folder = folder;
        this.runAs = runAs;
    }

    /// <summary>The run's server, started on first use.</summary>
    public static Task<PostgresServer> Shared => SharedServer.Value;

    /// <summary>
    /// A server of its own with PostgreSQL's durable defaults (fsync on), for benchmarks: the tests' server runs with
    /// fsync off, which would measure commits that never reach the disk. With <c>CONSENT_TEST_POSTGRES</c> set, that server.
    /// </summary>
    public static Task<PostgresServer> StartDurableAsync() => StartAsync(durable: true);

    /// <summary>The throwaway server's main process (its backends are its children); null for a server given by connection string.</summary>
    public int? ProcessId => folder is null
        ? null
        : int.Parse(File.ReadLines(Path.Combine(folder, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Makes an empty database (owned by <paramref name="owner"/>, a role, when given) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? owner = null)
    {
        var name = "consent_test_" + Guid.NewGuid().ToString("n")[..12];
        await ExecuteAsync($"CREATE DATABASE \"{name}\"" + (owner is null ? "" : $" OWNER \"{owner}\""));
        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Makes a login role with a password of its own, neither superuser nor allowed to create databases or roles;
    /// returns the connection string of <paramref name="database"/> (a connection string) as that role.
    /// </summary>
    public async Task<string> CreateRoleAsync(string role, string database)
    {
        var password = Guid.NewGuid().ToString("n");
        await ExecuteAsync($"CREATE ROLE \"{role}\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}'");
        return new NpgsqlConnectionStringBuilder(database) { Username = role, Password = password }.ConnectionString;
    }

    /// <summary>Drops a role made by <see cref="CreateRoleAsync"/> (once the databases it owns or has privileges in are dropped).</summary>
    public Task DropRoleAsync(string role) => ExecuteAsync($"DROP ROLE IF EXISTS \"{role}\"");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing whatever still uses it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static async Task<PostgresServer> StartAsync(bool durable)
    {
        if (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } given)
        {
            return new PostgresServer(given, null, null);
        }

        var runAs = Environment.IsPrivilegedProcess ? UnprivilegedUser() : null;
        var folder = Directory.CreateTempSubdirectory("consent-pg-").FullName;
        if (runAs is not null)
        {
            await RunAsync("chown", "-R", runAs, folder);
        }

        var data = Path.Combine(folder, "data");
        await RunAsync(Tool("initdb", runAs), "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync");
        var port = FreePort();
        await RunAsync(Tool("pg_ctl", runAs), "start", "-w", "-t", "60", "-D", data, "-l", Path.Combine(folder, "server.log"),
            "-o", $"-p {port} -c listen_addresses=127.0.0.1 -k {folder}{(durable ? "" : " -c fsync=off")} -c max_connections=200");
        var server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", folder, runAs);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        server.WatchForExit();
        return server;
    }

    /// <summary>Stops the throwaway server at once (its data is of no use afterwards) and removes its folder.</summary>
    private void Stop()
    {
        try
        {
            RunAsync(Tool("pg_ctl", runAs), "stop", "-w", "-m", "immediate", "-D", Path.Combine(folder!, "data")).GetAwaiter().GetResult();
            Directory.Delete(folder!, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The watcher started with the server finishes the job.
        }
    }

    /// <summary>
    /// A detached shell that stops the server and removes its folder once this process is gone, however it ends: the
    /// test host may be killed before its exit handlers finish, and a server left running would hold its port.
    /// </summary>
    private void WatchForExit()
    {
        static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var stop = string.Join(' ', Tool("pg_ctl", runAs).Select(Quote)) + " stop -w -m immediate -D " + Quote(Path.Combine(folder!, "data"));
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stop}; rm -rf {Quote(folder!)}";
        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "sh", "-c", script })
        {
            start.ArgumentList.Add(argument);
        }

        Process.Start(start)!.Dispose();
    }

    private static string UnprivilegedUser() =>
        File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody";

    /// <summary>The tool's path (from PATH, or Debian's versioned folder), run through runuser when run as root.</summary>
    private static string[] Tool(string name, string? runAs)
    {
        var path = FindTool(name);
        return runAs is null ? [path] : ["runuser", "-u", runAs, "--", path];
    }

    /// <summary>A PostgreSQL program (pg_dump, pg_restore…) from PATH or Debian's versioned folder; null when not installed.</summary>
    public static string? FindClientTool(string name)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(version => Path.Combine(version, "bin"))
                : []);
        return folders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
    }

    private static string FindTool(string name) =>
        FindClientTool(name)
            ?? throw new InvalidOperationException(
                $"'{name}' was not found: install PostgreSQL (test.sh does) or set {ConnectionVariable} to a server's connection string.");

    /// <summary>
    /// Runs a PostgreSQL client program (pg_dump, pg_restore) on the database of <paramref name="connectionString"/> (an
    /// Npgsql connection string), given to it as libpq's <c>--dbname</c>; throws with its output when it fails.
    /// </summary>
    public static Task RunClientToolAsync(string name, string connectionString, params string[] arguments)
    {
        var given = new NpgsqlConnectionStringBuilder(connectionString);
        static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
        var conninfo = $"host={Quote(given.Host!)} port={given.Port} user={Quote(given.Username!)} dbname={Quote(given.Database!)}"
            + (given.Password is { Length: > 0 } password ? $" password={Quote(password)}" : "");
        return RunAsync(FindTool(name), ["--dbname=" + conninfo, .. arguments]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsync(string[] command, params string[] arguments) => RunAsync(command[0], [.. command[1..], .. arguments]);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        // Both pipes are read while the command runs, so neither fills and blocks it.
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await errors}{await output}");
        }
    }
}
