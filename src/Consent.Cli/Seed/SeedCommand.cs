using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Consent.Api.DisclosureTree;
using Spectre.Console;

namespace Consent.Cli.Seed;

/// <summary>
/// <c>consent seed --scale N</c>: grows a database to N disclosure-log entries (and, with <c>--consents M</c>, M consent
/// grants) of synthetic data, for benchmarks and staging, never production. It only appends: new entries continue the
/// log's chain, the tree is integrated over them and a head signed with the API's own key, so the API and
/// <c>consent verify-log</c> accept the result; run it again with a larger N to grow the same database. Stop the API first.
/// </summary>
internal static class SeedCommand
{
    /// <summary>Synthetic survivors the entries are about, at least, when no grants call for more.</summary>
    private const long MinimumSurvivors = 100;

    public static Command Create(CliOutput output, TimeProvider time)
    {
        var scale = new Option<long>("--scale")
        {
            Description = "Grow the disclosure log to this many entries. A log already larger is refused (exit code 1) and left as it is.",
            Required = true,
        };
        var consents = new Option<long?>("--consents")
        {
            Description = "Grow the consent grants to this many (synthetic survivors, four grants each, to the demo agencies). "
                + "More grants than this already is refused (exit code 1).",
        };
        var connection = new Option<string>("--connection")
        {
            Description = "The database: the path of the API's SQLite file (e.g. .data/consent.db), or a PostgreSQL connection string (\"Host=…;Database=…;Username=…\").",
            Required = true,
        };
        var keyFile = new Option<string>("--signing-key-file")
        {
            Description = "The API's tree-head signing key (PKCS#8 PEM, DisclosureTree:SigningKeyFile). Default on SQLite: keys/disclosure-log-signing.pem "
                + "beside the database, as the API keeps it; required on PostgreSQL.",
        };
        var yes = new Option<bool>("--yes")
        {
            Description = "Seed even though the database holds survivors that are neither synthetic nor the demo's.",
        };
        var command = new Command("seed",
            "Fill a database with synthetic disclosures and consents for benchmarks and staging (never production): appends to the "
            + "log's chain, integrates the tree, signs a head with the API's key. Stop the API while it runs.")
        {
            scale, consents, connection, keyFile, yes,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(scale) < 0 || result.GetValue(consents) < 0)
            {
                result.AddError("--scale and --consents are counts: 0 or more.");
            }
        });
        command.SetAction((parse, cancellationToken) => CommandFailed.PrintedAsync(output, () => RunAsync(
            output, time, new SeedRequest(parse.GetValue(scale), parse.GetValue(consents), parse.GetValue(connection)!, parse.GetValue(keyFile),
                parse.GetValue(yes)), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliOutput output, TimeProvider time, SeedRequest request, CancellationToken cancellationToken)
    {
        await using var target = await SeedTarget.OpenAsync(request.Connection, request.KeyFile, cancellationToken);
        var before = await target.CountAsync(cancellationToken);
        Refuse(request, before, target.Name);

        var grants = request.Consents is { } wanted ? wanted - before.Consents : 0;
        var lastGrant = before.SyntheticGrants + grants;
        var survivors = Math.Max(before.SyntheticSurvivors, Math.Max(
            (lastGrant + SyntheticConsents.GrantsPerSurvivor - 1) / SyntheticConsents.GrantsPerSurvivor,
            request.Scale > before.Entries ? MinimumSurvivors : 0));
        var consentSeeder = new SyntheticConsents(target.Services, time);
        var log = new LogAppender(target.Services, time);
        var integrator = target.Services.GetRequiredService<DisclosureTreeIntegrator>();
        var signer = target.Services.GetRequiredService<TreeHeadSigner>();
        var timings = new Dictionary<string, TimeSpan>();
        StoredTreeHead? head = null;

        async Task SeedAsync(IProgressBars bars)
        {
            var consentBar = bars.Add("Consents", Math.Max(grants, 1));
            var entryBar = bars.Add("Log entries", Math.Max(request.Scale - before.Entries, 1));
            var treeBar = bars.Add("Merkle tree", Math.Max(request.Scale - before.TreeLeaves, 1));

            var stopwatch = Stopwatch.StartNew();
            await consentSeeder.EnsureAgenciesAsync(cancellationToken);
            await consentSeeder.EnsureSurvivorsAsync(before.SyntheticSurvivors, survivors, cancellationToken);
            var added = 0L;
            await consentSeeder.AddGrantsAsync(before.SyntheticGrants + 1, lastGrant, chunk => consentBar(added += chunk), cancellationToken);
            consentBar(Math.Max(grants, 1));
            timings["consents"] = stopwatch.Elapsed;

            stopwatch.Restart();
            await log.AppendAsync(request.Scale, survivors, size => entryBar(size - before.Entries), cancellationToken);
            entryBar(Math.Max(request.Scale - before.Entries, 1));
            timings["entries"] = stopwatch.Elapsed;

            stopwatch.Restart();
            using (var timer = new Timer(_ => treeBar(integrator.IntegratedSize - before.TreeLeaves), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250)))
            {
                head = await signer.SignIfGrownAsync(cancellationToken);
            }

            treeBar(Math.Max(request.Scale - before.TreeLeaves, 1));
            timings["tree"] = stopwatch.Elapsed;
        }

        if (!Console.IsOutputRedirected && output.Console.Profile.Capabilities.Interactive)
        {
            await output.Console.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(context => SeedAsync(new SpectreBars(context)));
        }
        else
        {
            await SeedAsync(new NoBars());
        }

        var after = await target.CountAsync(cancellationToken);
        await PrintAsync(output, target, before, after, head, timings);
        return ExitCodes.Ok;
    }

    /// <summary>Nothing is written when any of these holds: the seed only ever adds, and only to a database meant for it.</summary>
    private static void Refuse(SeedRequest request, SeedCounts before, string name)
    {
        if (before.Entries > request.Scale)
        {
            throw new CommandFailed($"{name}: the disclosure log already holds {Count(before.Entries)} entries, more than --scale {Count(request.Scale)}. "
                + "Nothing was seeded: the log is append-only, so the seed only grows it; give a larger --scale.");
        }

        if (request.Consents is { } consents && before.Consents > consents)
        {
            throw new CommandFailed($"{name}: the database already holds {Count(before.Consents)} consent grants, more than --consents {Count(consents)}. "
                + "Nothing was seeded: the seed only adds grants; give a larger --consents, or leave it out.");
        }

        if (before.OtherSurvivors > 0 && !request.Yes)
        {
            throw new CommandFailed($"{name}: the database holds {Count(before.OtherSurvivors)} survivor(s) that are neither synthetic ({SyntheticIds.SurvivorPrefix}…) "
                + "nor the demo's. The seed is for benchmark and staging databases, never production. Nothing was seeded; "
                + "pass --yes if this database is such a copy.");
        }
    }

    private static async Task PrintAsync(CliOutput output, SeedTarget target, SeedCounts before, SeedCounts after, StoredTreeHead? head, Dictionary<string, TimeSpan> timings)
    {
        var table = new Table().AddColumns(new TableColumn(""), new TableColumn("Before").RightAligned(), new TableColumn("After").RightAligned(),
            new TableColumn("Time").RightAligned());
        table.AddRow("Disclosure log entries", Count(before.Entries), Count(after.Entries), Timed(timings["entries"], after.Entries - before.Entries, "entries"));
        table.AddRow("Merkle tree leaves", Count(before.TreeLeaves), Count(after.TreeLeaves), Timed(timings["tree"], after.TreeLeaves - before.TreeLeaves, "leaves"));
        table.AddRow("Consent grants", Count(before.Consents), Count(after.Consents), Timed(timings["consents"], after.Consents - before.Consents, "grants"));
        table.AddRow("Synthetic survivors", Count(before.SyntheticSurvivors), Count(after.SyntheticSurvivors), "");
        output.Write(table);
        await output.Out.WriteLineAsync($"Database: {target.Name}");
        await output.Out.WriteLineAsync(head is null
            ? "Tree head: none signed (the tree has not grown since the latest head)."
            : $"Tree head {head.Id} signed over {Count(head.TreeSize)} leaves with key {head.KeyId} ({target.KeyFile}).");
        var total = timings.Values.Aggregate(TimeSpan.Zero, (sum, t) => sum + t);
        var check = target.IsPostgres ? "--connection \"…\"" : $"--database {target.Name}";
        await output.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Seeded in {total.TotalSeconds:0.0} s. Check it with: consent verify-log {check}"));
    }

    private static string Timed(TimeSpan time, long added, string what) => added <= 0 ? "" : string.Create(CultureInfo.InvariantCulture,
        $"{time.TotalSeconds:0.0} s ({added / Math.Max(time.TotalSeconds, 0.001):N0} {what}/s)");

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private sealed record SeedRequest(long Scale, long? Consents, string Connection, string? KeyFile, bool Yes);

    /// <summary>The phases' progress: each bar a setter of how far it is.</summary>
    private interface IProgressBars
    {
        Action<double> Add(string name, double total);
    }

    private sealed class SpectreBars(ProgressContext context) : IProgressBars
    {
        public Action<double> Add(string name, double total)
        {
            // Started when its phase first reports, so each bar's elapsed and remaining time are its own phase's.
            var task = context.AddTask(name, autoStart: false, maxValue: total);
            return value =>
            {
                if (!task.IsStarted)
                {
                    task.StartTask();
                }

                task.Value = Math.Clamp(value, 0, total);
            };
        }
    }

    /// <summary>Redirected output (scripts, tests): no bars, only the summary.</summary>
    private sealed class NoBars : IProgressBars
    {
        public Action<double> Add(string name, double total) => _ => { };
    }
}
