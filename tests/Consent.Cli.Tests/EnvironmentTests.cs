namespace Consent.Cli.Tests;

/// <summary>Tests that set process-wide environment variables: run alone, so no other test sees them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Environment";
}

/// <summary>The URLs the scripts use (IDENTITY_URL, API_URL) are the commands' defaults too.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class EnvironmentTests
{
    private const string KeyFile = "{key-file}";

    [Theory]
    [InlineData("IDENTITY_URL", "http://127.0.0.1:9/", "clients", "list", "--operator-id", "op", "--operator-secret", "s")]
    [InlineData("API_URL", "http://127.0.0.1:9/", "log", "audit", "--token", "t", "--public-key", KeyFile)]
    public async Task UrlFromTheEnvironment_IsTheOneCalled(string variable, string url, params string[] args)
    {
        using var directory = new TempDirectory();
        var key = directory.File("log-key.pem");
        using (var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(key, ecdsa.ExportSubjectPublicKeyInfoPem());
        }

        args = [.. args.Select(a => a == KeyFile ? key : a)];
        using var set = new EnvironmentVariable(variable, url);

        var (exitCode, _, error) = await Cli.RunAsync(args);

        // Nothing listens on port 9: the command must have tried there, not on the 500x default.
        exitCode.ShouldNotBe(ExitCodes.Ok);
        exitCode.ShouldNotBe(ExitCodes.Usage);
        error.ShouldContain("127.0.0.1:9");
        error.ShouldNotContain("localhost:500");
    }

    [Theory]
    [InlineData("IDENTITY_URL", "demo", "token", "demo-survivor")]
    [InlineData("API_URL", "log", "audit", "--token", "t", "--public-key", "unused.pem")]
    public async Task UrlFromTheEnvironment_ThatIsNotAUrl_IsAUsageError(string variable, params string[] args)
    {
        using var set = new EnvironmentVariable(variable, "ftp://nowhere.example/");

        var (exitCode, output, error) = await Cli.RunAsync(args);

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldContain(variable);
        output.ShouldBeEmpty();
    }

    [Fact]
    public async Task DemoUsersFile_IsUnderConsentDataDir_AsForRunSh()
    {
        using var directory = new TempDirectory();
        using var set = new EnvironmentVariable("CONSENT_DATA_DIR", directory.Path);

        var (exitCode, _, error) = await Cli.RunAsync("demo", "token", "demo-survivor");

        exitCode.ShouldNotBe(ExitCodes.Ok);
        error.ShouldContain(Path.Combine(directory.Path, "demo", "users.json"));
    }

    /// <summary>Sets a process-wide variable for one test and puts back what was there.</summary>
    private sealed class EnvironmentVariable : IDisposable
    {
        private readonly string name;
        private readonly string? before;

        public EnvironmentVariable(string name, string value)
        {
            this.name = name;
            before = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        public void Dispose() => Environment.SetEnvironmentVariable(name, before);
    }
}
