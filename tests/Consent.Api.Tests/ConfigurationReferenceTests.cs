using System.Text.RegularExpressions;
using Consent.TestSupport;

namespace Consent.Api.Tests;

/// <summary>
/// docs/configuration.md is what <see cref="ConfigurationReference"/> writes from the options classes now, and the example
/// deployment under deploy/ sets only keys the reference has.
/// </summary>
public sealed partial class ConfigurationReferenceTests
{
    private const string WriteVariable = "CONSENT_WRITE_CONFIGURATION_REFERENCE";

    private static readonly string Root = Repository.Root();

    [Fact]
    public void TheReference_IsWhatTheGeneratorWritesNow()
    {
        var generated = ConfigurationReference.Render(Root);
        var path = Path.Combine(Root, ConfigurationReference.DocumentPath);
        if (Environment.GetEnvironmentVariable(WriteVariable) == "1")
        {
            File.WriteAllText(path, generated);
        }

        var written = File.Exists(path) ? File.ReadAllText(path) : "";
        written.ShouldBe(generated,
            $"{ConfigurationReference.DocumentPath} is stale. Regenerate it: {WriteVariable}=1 dotnet test tests/Consent.Api.Tests --filter ConfigurationReferenceTests");
    }

    [Fact]
    public void TheReference_HasEveryOptionsSection_TheirKeys_AndTheConnectionStrings()
    {
        var keys = ConfigurationReference.Keys(ConfigurationReference.Render(Root));
        string[] expected =
        [
            "Storage:Provider", "Storage:DataDirectory", "ConnectionStrings:Consent", "ConnectionStrings:ConsentOwner", "ConnectionStrings:Identity",
            "Auth:Authority", "Auth:IntrospectionSecret", "RateLimits:ClientPerMinute", "RateLimits:LoginPerAccountPerMinute",
            "DisclosureTree:SigningKeyPem", "DisclosureTree:SigningKeyFile", "DisclosureLog:MaxBatchSize", "Compliance:Anomalies:BaselineDays",
            "Consents:Purposes:{name}:Code", "DataCategories:{name}:Labels:{n}:Code", "StatutoryBases:MaxReportAgeDays",
            "Policies:Engine", "Policies:Opa:CircuitBreaker:FailureRatio", "Keys:RotateAfter", "Keys:RetireAfter",
            "Provider:Issuer", "Provider:Api:ClientSecret", "Provider:ResourceServers:{n}:ClientId", "Provider:Portal:RedirectUris",
            "ClientAssertions:ClockSkew", "Safety:QuickExitUrl", "Demo:Seed", "Api:BaseUrl", "Oidc:Authority", "Oidc:IdleTimeout",
        ];
        expected.Where(key => !keys.Contains(key)).ShouldBeEmpty();
    }

    [Fact]
    public void TheExampleDeployment_SetsOnlyKeysOfTheReference()
    {
        var keys = ConfigurationReference.Keys(File.ReadAllText(Path.Combine(Root, ConfigurationReference.DocumentPath)));
        var compose = File.ReadAllText(Path.Combine(Root, "deploy", "compose.yaml"));
        // The apps' settings are the environment entries with a "__" (PostgreSQL's image variables and ASP.NET Core's have none).
        var used = EnvironmentEntry().Matches(compose).Select(m => m.Groups[1].Value).Where(k => k.Contains("__", StringComparison.Ordinal)).Distinct().ToList();

        used.Count.ShouldBeGreaterThan(10);
        used.ShouldContain("Storage__Provider");
        used.Where(key => !ConfigurationReference.Knows(keys, key)).ShouldBeEmpty("keys of deploy/compose.yaml missing from docs/configuration.md");
        // The check can fail: a key no app reads, or one of a section's keys misspelt, is not known.
        ConfigurationReference.Knows(keys, "Storage__Provder").ShouldBeFalse();
        ConfigurationReference.Knows(keys, "DisclosureTree__SigningKey").ShouldBeFalse();
        ConfigurationReference.Knows(keys, "Provider__Portal__RedirectUris__0").ShouldBeTrue();
        ConfigurationReference.Knows(keys, "Consents__Purposes__treatment__Code").ShouldBeTrue();
    }

    [GeneratedRegex(@"^\s+([A-Za-z][A-Za-z0-9_]*):\s", RegexOptions.Multiline)]
    private static partial Regex EnvironmentEntry();
}
