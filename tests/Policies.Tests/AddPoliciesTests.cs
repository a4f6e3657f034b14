using Consent.Policies.Opa;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Consent.Policies.Tests;

public sealed class AddPoliciesTests
{
    [Fact]
    public async Task AddPolicies_NoConfiguration_UsesTheEmbeddedEvaluator()
    {
        using var host = Host(new Dictionary<string, string?>());

        await host.StartAsync();

        host.Services.GetRequiredService<IPolicyDecisionPoint>().ShouldBeOfType<EmbeddedPolicyEvaluator>();
        await host.StopAsync();
    }

    [Fact]
    public async Task AddPolicies_EngineOpa_UsesTheOpaClient()
    {
        using var host = Host(new Dictionary<string, string?>
        {
            ["Policies:Engine"] = "Opa",
            ["Policies:Opa:BaseUrl"] = "http://127.0.0.1:8181",
            ["Policies:Opa:Timeout"] = "00:00:00.250",
            ["Policies:Opa:AttemptTimeout"] = "00:00:00.100",
        });

        await host.StartAsync();

        host.Services.GetRequiredService<IPolicyDecisionPoint>().ShouldBeOfType<OpaPolicyDecisionPoint>();
        var options = host.Services.GetRequiredService<IOptions<PoliciesOptions>>().Value.Opa;
        options.Timeout.ShouldBe(TimeSpan.FromMilliseconds(250));
        options.PackagePath.ShouldBe("consent/decision");
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Policies:Opa:BaseUrl", "", "BaseUrl")]
    [InlineData("Policies:Opa:BaseUrl", "ftp://127.0.0.1:8181", "BaseUrl")]
    [InlineData("Policies:Opa:PackagePath", "/consent/decision", "PackagePath")]
    [InlineData("Policies:Opa:PackagePath", "consent/../decision", "PackagePath")]
    [InlineData("Policies:Opa:Timeout", "00:00:00", "Timeout")]
    [InlineData("Policies:Opa:AttemptTimeout", "00:00:05", "AttemptTimeout")]
    [InlineData("Policies:Opa:Retries", "9", "Retries")]
    [InlineData("Policies:Opa:CircuitBreaker:MinimumThroughput", "1", "MinimumThroughput")]
    public async Task AddPolicies_InvalidOpaOptions_FailAtStart(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Policies:Engine"] = "Opa",
            ["Policies:Opa:BaseUrl"] = "http://127.0.0.1:8181",
            [key] = value,
        };
        using var host = Host(settings);

        var failure = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        failure.Message.ShouldContain(named);
    }

    [Fact]
    public async Task AddPolicies_InvalidOpaOptions_AreIgnoredWhenTheEmbeddedEngineIsChosen()
    {
        using var host = Host(new Dictionary<string, string?> { ["Policies:Engine"] = "Embedded", ["Policies:Opa:Timeout"] = "00:00:00" });

        await host.StartAsync();

        await host.StopAsync();
    }

    [Fact]
    public async Task AddPolicies_UnknownEngine_FailsAtStart()
    {
        using var host = Host(new Dictionary<string, string?> { ["Policies:Engine"] = "Magic" });

        await Should.ThrowAsync<InvalidOperationException>(() => host.StartAsync());
    }

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPolicies(builder.Configuration);
        return builder.Build();
    }
}
