using System.CommandLine;
using System.Globalization;
using Consent.Log.TreeHeads;
using Consent.Log.Verification;
using Npgsql;
using Spectre.Console;

namespace Consent.Cli.VerifyLog;

/// <summary>
/// <c>consent verify-log</c>: checks a disclosure log database on its own, without the API: a SQLite file
/// (<c>--database</c>) or a PostgreSQL database (<c>--connection</c>). Prints counts, sequence numbers and hashes only,
/// never an entry's contents.
/// </summary>
internal static class VerifyLogCommand
{
    /// <summary>Failures listed after the first.</summary>
    private const int FailuresShown = 20;

    public static Command Create(CliOutput output)
    {
        var database = new Option<string>("--database")
        {
            Description = "The SQLite database file (default: consent.db in $CONSENT_DATA_DIR, else in .data/ as run.sh uses it).",
        };
        var connection = new Option<string>("--connection")
        {
            Description = "A PostgreSQL database instead of a file: its connection string (\"Host=…;Database=…;Username=…\"); a read-only role is enough.",
        };
        var publicKeys = new Option<string[]>("--public-key")
        {
            Description = "Trust only this log key: a PEM public key or the JSON of /.well-known/disclosure-log-keys (repeatable). "
                + "Without it, the keys stored in the database are used, which only shows the database agrees with itself.",
            AllowMultipleArgumentsPerToken = false,
        };
        var treeHeads = new Option<string[]>("--tree-head")
        {
            Description = "A tree head saved earlier (the API's tree head JSON), checked against the log (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };

        var command = new Command("verify-log",
            "Verify the disclosure log: every entry's sequence number, chain and hash, the Merkle tree and the signed tree heads.")
        {
            database, connection, publicKeys, treeHeads,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(database) is not null && result.GetResult(connection) is not null)
            {
                result.AddError("Give --database or --connection, not both.");
            }
        });
        command.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, () => RunAsync(
            output, LogStore.Of(parse.GetValue(database), parse.GetValue(connection)), parse.GetValue(publicKeys) ?? [],
            parse.GetValue(treeHeads) ?? [], cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(
        CliOutput output, LogStore database, string[] keyFiles, string[] headFiles, CancellationToken cancellationToken)
    {
        var keys = new List<byte[]>();
        foreach (var file in keyFiles)
        {
            keys.AddRange(LogInputFiles.PublicKeys(file));
        }

        var trustedHeads = new List<TrustedTreeHead>();
        foreach (var file in headFiles)
        {
            trustedHeads.Add(new TrustedTreeHead(Path.GetFileName(file), LogInputFiles.TreeHead(file)));
        }

        var showProgress = !Console.IsOutputRedirected && output.Console.Profile.Capabilities.Interactive;
        LogVerificationResult result;
        try
        {
            result = showProgress
                ? await VerifyWithProgressAsync(output, database, keys, keyFiles.Length > 0, trustedHeads, cancellationToken)
                : await Task.Run(() => database.Verify(Options(keys, keyFiles.Length > 0, trustedHeads, null, null), cancellationToken),
                    cancellationToken);
        }
        catch (LogDatabaseException e)
        {
            throw new CommandFailed($"{database.Name}: {e.Message}");
        }

        await PrintAsync(output, database, keyFiles.Length > 0 ? $"{keys.Count} supplied" : "stored in the database", result);
        return result.Holds ? ExitCodes.Ok : ExitCodes.LogDoesNotVerify;
    }

    private static LogVerifierOptions Options(
        List<byte[]> keys, bool keysGiven, List<TrustedTreeHead> heads, IProgress<long>? progress, Action<long>? sizeKnown) => new()
        {
            TrustedKeys = keysGiven ? keys : null,
            TrustedHeads = heads,
            Progress = progress,
            LogSizeKnown = sizeKnown,
        };

    private static async Task<LogVerificationResult> VerifyWithProgressAsync(
        CliOutput output, LogStore database, List<byte[]> keys, bool keysGiven, List<TrustedTreeHead> heads, CancellationToken cancellationToken)
    {
        LogVerificationResult? result = null;
        await output.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Verifying entries", maxValue: 1);
                var progress = new TaskProgress(task);
                result = await Task.Run(() => database.Verify(
                    Options(keys, keysGiven, heads, progress, size => task.MaxValue = Math.Max(size, 1)), cancellationToken), cancellationToken);
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static async Task PrintAsync(CliOutput output, LogStore database, string keys, LogVerificationResult result)
    {
        var rate = result.Elapsed.TotalSeconds > 0 ? result.EntriesChecked / result.Elapsed.TotalSeconds : 0;
        var table = new Table().AddColumns(new TableColumn("Check"), new TableColumn("Result").RightAligned());
        table.AddRow("Database", Markup.Escape(database.Name));
        table.AddRow("Entries checked", Count(result.EntriesChecked));
        table.AddRow("Log size", Count(result.LogSize));
        table.AddRow("Tree size (integrated)", Count(result.TreeSize));
        table.AddRow("Tree heads checked", Count(result.HeadsChecked));
        table.AddRow("Saved tree heads checked", Count(result.TrustedHeadsChecked));
        table.AddRow("Trusted keys", Markup.Escape(keys));
        table.AddRow("Failures", Count(result.FailureCount));
        table.AddRow("Time", string.Create(CultureInfo.InvariantCulture, $"{result.Elapsed.TotalSeconds:0.00} s ({rate:N0} entries/s)"));
        output.Write(table);

        if (result.FirstFailure is not { } first)
        {
            await output.Out.WriteLineAsync("The log verifies: every entry, tree row and tree head holds.");
            return;
        }

        await output.Out.WriteLineAsync($"The log does NOT verify: {Count(result.FailureCount)} failure(s).");
        await output.Out.WriteLineAsync($"First failure: {Describe(first)}");
        await WriteHashesAsync(output, first);
        foreach (var failure in result.Failures.Skip(1).Take(FailuresShown))
        {
            await output.Out.WriteLineAsync($"  then: {Describe(failure)}");
        }

        if (result.FailureCount > 1 + FailuresShown)
        {
            await output.Out.WriteLineAsync($"  … and {Count(result.FailureCount - 1 - FailuresShown)} more.");
        }
    }

    private static string Describe(LogFailure failure)
    {
        var where = failure.Sequence is { } sequence ? $"entry {sequence}"
            : failure.HeadId is { } id ? $"tree head {id}"
            : $"saved tree head {failure.TrustedHead}";
        return $"{Kind(failure.Kind)} at {where}: {failure.Message}";
    }

    private static async Task WriteHashesAsync(CliOutput output, LogFailure failure)
    {
        if (failure.Expected is not null)
        {
            await output.Out.WriteLineAsync($"  expected: {failure.Expected}");
        }

        if (failure.Found is not null)
        {
            await output.Out.WriteLineAsync($"  found:    {failure.Found}");
        }
    }

    private static string Kind(LogFailureKind kind) => kind switch
    {
        LogFailureKind.MissingTable => "missing table",
        LogFailureKind.SequenceGap => "sequence gap",
        LogFailureKind.MalformedEntry => "malformed entry",
        LogFailureKind.Chain => "chain",
        LogFailureKind.HashMismatch => "hash mismatch",
        LogFailureKind.TreeNode => "tree node",
        LogFailureKind.TreeHeadSignature => "tree head signature",
        LogFailureKind.TreeHeadRoot => "tree head root",
        LogFailureKind.TreeHeadOrder => "tree head order",
        LogFailureKind.Fork => "fork (split view)",
        _ => kind.ToString(),
    };

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The log's database: a SQLite file, or a PostgreSQL database named (for output) by its host, port and database,
    /// never by the rest of its connection string (a password).
    /// </summary>
    private sealed record LogStore(string Name, string? File, string? Connection)
    {
        public static LogStore Of(string? file, string? connection)
        {
            if (connection is null)
            {
                file ??= Path.Combine(Environment.GetEnvironmentVariable("CONSENT_DATA_DIR") is { Length: > 0 } data ? data : ".data", "consent.db");
                return new LogStore(file, file, null);
            }

            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connection);
                return new LogStore($"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}", null, connection);
            }
            catch (ArgumentException e)
            {
                throw new CommandFailed($"--connection is not a PostgreSQL connection string: {e.Message}");
            }
        }

        public LogVerificationResult Verify(LogVerifierOptions options, CancellationToken cancellationToken) =>
            File is not null ? LogVerifier.VerifyFile(File, options, cancellationToken) : LogVerifier.VerifyPostgres(Connection!, options, cancellationToken);
    }

    /// <summary>Moves the bar as entries are checked (reported from the verifier's reading threads).</summary>
    private sealed class TaskProgress(ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = value;
    }
}
