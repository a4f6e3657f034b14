using System.Diagnostics;
using System.Text.Json;
using Consent.Policies.Opa;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Consent.Policies.Tests;

/// <summary>The OPA client against a local server answering as OPA's Data API (see <see cref="LocalOpaDataApi"/>).</summary>
public sealed class OpaClientTests
{
    private const string PermitAnswer = """
        {"result": {"decision": "permit", "reasons": ["grant:g-clinic-health", "mou:mou-shelter-clinic"],
          "obligations": {"resourceTypes": ["Observation"], "labels": ["PSY"], "redactLabels": ["ETH", "HIV", "IMMIGRATION", "SDV", "SUD"],
                          "breakGlass": false, "redisclosureNotice": false},
          "policyVersion": "0.1.0"}}
        """;

    private const string DenyAnswer = """{"result": {"decision": "deny", "reasons": ["deny-list"], "policyVersion": "0.1.0"}}""";

    private static PolicyInput Input => DecisionVector.Named("permit-grant-and-mou").Input;

    [Fact]
    public async Task Decide_PostsTheInputToTheDataApi_AndMapsAPermit()
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(200, PermitAnswer);
        using var services = Services(opa.BaseUrl);

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        var request = opa.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/v1/data/consent/decision");
        request.ContentType.ShouldStartWith("application/json");
        using var body = JsonDocument.Parse(request.Body);
        var input = body.RootElement.GetProperty("input");
        input.GetProperty("requester").GetProperty("agencyId").GetString().ShouldBe("ag-eastside-clinic");
        input.GetProperty("request").GetProperty("purposeOfUse").GetString().ShouldBe("TREAT");
        input.GetProperty("facts").GetProperty("grants")[0].GetProperty("id").GetString().ShouldBe("g-clinic-health");
        PolicyJson.Deserialize(input.GetRawText()).ShouldNotBeNull().Time.ShouldBe(Input.Time);

        decision.Effect.ShouldBe(PolicyEffect.Permit);
        decision.Reasons.ShouldBe(["grant:g-clinic-health", "mou:mou-shelter-clinic"]);
        decision.Obligations.ResourceTypes.ShouldBe(["Observation"]);
        decision.Obligations.Labels.ShouldBe(["PSY"]);
        decision.Obligations.RedactLabels.ShouldBe(["ETH", "HIV", "IMMIGRATION", "SDV", "SUD"]);
        decision.PolicyVersion.ShouldBe("0.1.0");
    }

    [Fact]
    public async Task Decide_ConfiguredPackagePath_IsThePathPosted()
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(200, DenyAnswer);
        using var services = Services(opa.BaseUrl, ("Policies:Opa:PackagePath", "agency_x/consent/decision"));

        await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        opa.Requests.ShouldHaveSingleItem().Path.ShouldBe("/v1/data/agency_x/consent/decision");
    }

    [Fact]
    public async Task Decide_BaseUrlWithAPathPrefix_KeepsThePrefix()
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(200, DenyAnswer);
        using var services = Services(new Uri(opa.BaseUrl, "/v1/data/sidecar"));

        await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        opa.Requests.ShouldHaveSingleItem().Path.ShouldBe("/v1/data/sidecar/v1/data/consent/decision");
    }

    [Fact]
    public async Task Decide_ADeny_IsReturnedAndNeverRetried()
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(200, DenyAnswer);
        using var services = Services(opa.BaseUrl, ("Policies:Opa:Retries", "3"));

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        decision.Effect.ShouldBe(PolicyEffect.Deny);
        decision.Reasons.ShouldBe([PolicyReasons.DenyList]);
        decision.Obligations.ShouldBe(PolicyObligations.None);
        opa.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Decide_ServerError_IsRetriedOnce_ThenDenied()
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(500, """{"code": "internal_error", "message": "boom"}""");
        using var services = Services(opa.BaseUrl);

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        decision.Effect.ShouldBe(PolicyEffect.Deny);
        decision.Reasons.ShouldBe([PolicyReasons.OpaHttpErrorPrefix + "500"]);
        opa.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Decide_BadRequest_IsDeniedWithoutRetry()
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(400, """{"code": "invalid_parameter", "message": "bad input"}""");
        using var services = Services(opa.BaseUrl);

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        decision.Reasons.ShouldBe([PolicyReasons.OpaHttpErrorPrefix + "400"]);
        opa.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Decide_SlowServer_IsDeniedWhenTheTimeoutPasses()
    {
        await using var opa = await LocalOpaDataApi.StartAsync(async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await context.Response.WriteAsync(DenyAnswer, context.RequestAborted);
        });
        using var services = Services(opa.BaseUrl, ("Policies:Opa:Timeout", "00:00:00.400"), ("Policies:Opa:AttemptTimeout", "00:00:00.150"));
        var watch = Stopwatch.StartNew();

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        decision.Effect.ShouldBe(PolicyEffect.Deny);
        decision.Reasons.ShouldBe([PolicyReasons.OpaTimeout]);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"result": {"decision": "permit", "reasons": ["grant:g1"], "policyVersion": "0.1.0"}}""")]
    [InlineData("""{"result": {"decision": "maybe", "reasons": ["grant:g1"], "policyVersion": "0.1.0"}}""")]
    [InlineData("""{"result": {"decision": "deny", "reasons": [], "policyVersion": "0.1.0"}}""")]
    [InlineData("""{"result": {"decision": "deny", "reasons": [42], "policyVersion": "0.1.0"}}""")]
    [InlineData("""{"result": {"decision": "deny", "reasons": ["deny-list"]}}""")]
    [InlineData("""{"result": "permit"}""")]
    [InlineData("""{"result": {"decision": true, "reasons": ["grant:g1"], "policyVersion": "0.1.0"}}""")]
    [InlineData("""{"result": {"decision": "permit", "reasons": ["grant:g1"], "policyVersion": "0.1.0", "obligations": {"resourceTypes": ["Observation"], "labels": [], "redactLabels": []}}}""")]
    [InlineData("[]")]
    public async Task Decide_MalformedAnswer_IsDenied(string answer)
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(200, answer);
        using var services = Services(opa.BaseUrl);

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        decision.Effect.ShouldBe(PolicyEffect.Deny);
        decision.Reasons.ShouldBe([PolicyReasons.OpaMalformedAnswer]);
        opa.Requests.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"result": null}""")]
    public async Task Decide_UndefinedResult_IsDenied(string answer)
    {
        // OPA answers 200 {} when nothing is defined at the path: the bundle is not loaded, or the path is wrong.
        await using var opa = await LocalOpaDataApi.AnsweringAsync(200, answer);
        using var services = Services(opa.BaseUrl);

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        decision.Effect.ShouldBe(PolicyEffect.Deny);
        decision.Reasons.ShouldBe([PolicyReasons.OpaUndefinedResult]);
    }

    [Fact]
    public async Task Decide_AfterRepeatedFailures_TheCircuitOpens_AndOpaIsNotAsked()
    {
        await using var opa = await LocalOpaDataApi.AnsweringAsync(503, "{}");
        using var services = Services(
            opa.BaseUrl,
            ("Policies:Opa:CircuitBreaker:MinimumThroughput", "2"),
            ("Policies:Opa:CircuitBreaker:BreakDuration", "00:00:30"));
        var pdp = services.GetRequiredService<IPolicyDecisionPoint>();

        var first = await pdp.DecideAsync(Input);
        var asked = opa.Requests.Count;
        var second = await pdp.DecideAsync(Input);

        first.Reasons.ShouldBe([PolicyReasons.OpaHttpErrorPrefix + "503"]);
        second.Effect.ShouldBe(PolicyEffect.Deny);
        second.Reasons.ShouldBe([PolicyReasons.OpaCircuitOpen]);
        opa.Requests.Count.ShouldBe(asked);
    }

    [Fact]
    public async Task Decide_NothingListening_IsDenied()
    {
        Uri closed;
        await using (var opa = await LocalOpaDataApi.AnsweringAsync(200, DenyAnswer))
        {
            closed = opa.BaseUrl;
        }

        using var services = Services(closed);

        var decision = await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input);

        decision.Effect.ShouldBe(PolicyEffect.Deny);
        decision.Reasons.ShouldBe([PolicyReasons.OpaUnreachable]);
    }

    [Fact]
    public async Task Decide_CallerCancels_IsACancellationNotADecision()
    {
        await using var opa = await LocalOpaDataApi.StartAsync(async (context, _) =>
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted));
        using var services = Services(opa.BaseUrl, ("Policies:Opa:Timeout", "00:00:10"), ("Policies:Opa:AttemptTimeout", "00:00:10"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Should.ThrowAsync<OperationCanceledException>(
            async () => await services.GetRequiredService<IPolicyDecisionPoint>().DecideAsync(Input, cancel.Token));
    }

    internal static ServiceProvider Services(Uri baseUrl, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Policies:Engine"] = "Opa",
            ["Policies:Opa:BaseUrl"] = baseUrl.ToString(),
            // Roomy on a busy test machine (a cold first call JIT-compiles the client); the timeout test sets its own.
            ["Policies:Opa:Timeout"] = "00:00:10",
            ["Policies:Opa:AttemptTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging().AddPolicies(configuration).BuildServiceProvider(validateScopes: true);
        services.GetRequiredService<IPolicyDecisionPoint>().ShouldBeOfType<OpaPolicyDecisionPoint>();
        return services;
    }
}
