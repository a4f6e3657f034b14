using System.Text.RegularExpressions;
using Consent.TestSupport;

namespace Consent.Api.Tests;

/// <summary>
/// Every log event id in the platform's code (Identity, Consent API, Portal, the command, the libraries) names one
/// event: whoever filters the logs on an id, or alerts on one, gets that event and no other.
/// </summary>
public sealed partial class LogEventIdTests
{
    [Fact]
    public void EveryLogEventId_IsUsedOnce()
    {
        var source = Path.Combine(Repository.Root(), "src");
        var uses = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => EventId().Matches(File.ReadAllText(file))
                .Select(match => (Id: int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), File: Path.GetRelativePath(source, file))))
            .ToList();

        uses.Count.ShouldBeGreaterThan(50);
        var repeated = uses.GroupBy(u => u.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(u => u.File))}").ToList();
        repeated.ShouldBeEmpty();
    }

    [GeneratedRegex(@"EventId\s*=\s*(\d+)")]
    private static partial Regex EventId();
}
