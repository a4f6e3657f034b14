namespace Consent.Cli.Tests;

/// <summary>A wrong command line exits 2 and says what is wrong, without doing anything.</summary>
public sealed class UsageTests
{
    [Theory]
    [InlineData("nonsense")]
    [InlineData("clients")]
    [InlineData("clients", "register")]
    [InlineData("clients", "register", "--agency")]
    [InlineData("clients", "register", "--agency", "a", "--jwk", "a.json", "--jwks-url", "https://a.example/jwks")]
    [InlineData("clients", "remove")]
    [InlineData("clients", "list", "--identity", "not a url")]
    [InlineData("clients", "list", "--bogus")]
    [InlineData("keys", "generate", "--alg", "HS256", "--out", "x")]
    [InlineData("keys", "generate")]
    [InlineData("demo", "token")]
    [InlineData("demo", "token", "demo-survivor", "--identity", "ftp://identity.example/")]
    [InlineData("demo", "token", "demo-survivor", "--redirect-uri", "callback")]
    public async Task ArgumentErrors_Exit2_WithAMessage(params string[] args)
    {
        var (exitCode, output, error) = await Cli.RunAsync(args);

        exitCode.ShouldBe(ExitCodes.Usage);
        error.ShouldStartWith("error: ");
        error.ShouldContain("consent --help");
        output.ShouldBeEmpty();
    }

    [Fact]
    public async Task Help_Exits0_AndListsTheCommands()
    {
        var (exitCode, output, _) = await Cli.RunAsync("--help");

        exitCode.ShouldBe(ExitCodes.Ok);
        output.ShouldContain("clients");
        output.ShouldContain("keys");
    }
}
