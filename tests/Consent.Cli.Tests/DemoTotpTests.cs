using OtpNet;

namespace Consent.Cli.Tests;

/// <summary><c>consent demo totp</c> prints the code an authenticator app would show.</summary>
public sealed class DemoTotpTests
{
    private const string Secret = "JACVIO5D3MKYUU6ZVCMOY3WU5GXAHEKA";

    [Fact]
    public async Task PrintsTheSameCodeAsAnIndependentTotpImplementation()
    {
        using var directory = new TempDirectory();
        var file = directory.File("users.json");
        await File.WriteAllTextAsync(file, $$"""
            [ { "userName": "demo-survivor", "password": "x", "role": "survivor", "totpSecret": null },
              { "userName": "demo-advocate", "password": "y", "role": "advocate", "totpSecret": "{{Secret}}" } ]
            """);
        var at = new DateTimeOffset(2026, 11, 23, 9, 30, 10, TimeSpan.Zero);

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ConsentCli.RunAsync(["demo", "totp", "demo-advocate", "--users", file], CliOutput.ForWriters(output, error),
            time: new FixedTime(at));

        exit.ShouldBe(0, error.ToString());
        var expected = new Totp(Base32Encoding.ToBytes(Secret)).ComputeTotp(at.UtcDateTime);
        output.ToString().ShouldStartWith(expected + "  (valid 20 more seconds)");

        var (survivorExit, _, survivorError) = await Cli.RunAsync("demo", "totp", "demo-survivor", "--users", file);
        survivorExit.ShouldBe(1);
        survivorError.ShouldContain("signs in without a code");

        var (unknownExit, _, _) = await Cli.RunAsync("demo", "totp", "nobody", "--users", file);
        unknownExit.ShouldBe(1);
    }

    [Fact]
    public async Task MissingUsersFile_SaysHowToGetOne()
    {
        var (exit, _, error) = await Cli.RunAsync("demo", "totp", "demo-advocate", "--users", "/nonexistent/users.json");
        exit.ShouldBe(1);
        error.ShouldContain("./run.sh");
    }

    private sealed class FixedTime(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}
