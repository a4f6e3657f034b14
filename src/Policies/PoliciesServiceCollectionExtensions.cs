using System.Net;
using Consent.Policies.Opa;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Consent.Policies;

public static class PoliciesServiceCollectionExtensions
{
    /// <summary>The named HttpClient the OPA client uses.</summary>
    public const string OpaHttpClientName = "Consent.Policies.Opa";

    /// <summary>
    /// Registers <see cref="IPolicyDecisionPoint"/>: the embedded evaluator, or the OPA client when
    /// <c>Policies:Engine</c> is <c>Opa</c>. Options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<PoliciesOptions>()
            .Bind(configuration.GetSection(PoliciesOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PoliciesOptions>, PoliciesOptionsValidator>());

        services.TryAddSingleton<EmbeddedPolicyEvaluator>();
        services.TryAddSingleton<OpaPolicyDecisionPoint>();
        services.TryAddSingleton<IPolicyDecisionPoint>(sp =>
            sp.GetRequiredService<IOptions<PoliciesOptions>>().Value.Engine == PolicyEngine.Opa
                ? sp.GetRequiredService<OpaPolicyDecisionPoint>()
                : sp.GetRequiredService<EmbeddedPolicyEvaluator>());

        services.AddHttpClient(OpaHttpClientName, (sp, client) =>
            {
                var opa = sp.GetRequiredService<IOptions<PoliciesOptions>>().Value.Opa;
                // A trailing slash, so that an OPA behind a path prefix (http://host/opa) keeps its prefix.
                client.BaseAddress = opa.BaseUrl is { } url && !url.AbsolutePath.EndsWith('/') ? new Uri(url + "/") : opa.BaseUrl;
                // The resilience pipeline below owns every timeout.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("opa", (pipeline, context) =>
            {
                var opa = context.ServiceProvider.GetRequiredService<IOptions<PoliciesOptions>>().Value.Opa;
                var transient = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout);

                pipeline.AddTimeout(opa.Timeout);
                if (opa.Retries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        // Only failures are retried: an answer, permit or deny, goes straight back.
                        ShouldHandle = transient,
                        MaxRetryAttempts = opa.Retries,
                        Delay = TimeSpan.FromMilliseconds(10),
                        BackoffType = DelayBackoffType.Constant,
                        UseJitter = false,
                    });
                }

                pipeline
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        ShouldHandle = transient,
                        FailureRatio = opa.CircuitBreaker.FailureRatio,
                        MinimumThroughput = opa.CircuitBreaker.MinimumThroughput,
                        SamplingDuration = opa.CircuitBreaker.SamplingDuration,
                        BreakDuration = opa.CircuitBreaker.BreakDuration,
                    })
                    .AddTimeout(opa.AttemptTimeout);
            });

        return services;
    }
}
