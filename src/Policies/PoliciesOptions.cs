using Microsoft.Extensions.Options;

namespace Consent.Policies;

public enum PolicyEngine
{
    /// <summary>The in-process C# evaluator.</summary>
    Embedded = 0,

    /// <summary>An OPA server (usually a sidecar) loaded with the Rego bundle.</summary>
    Opa = 1,
}

/// <summary>Configuration section <c>Policies</c>.</summary>
public sealed class PoliciesOptions
{
    public const string SectionName = "Policies";

    public PolicyEngine Engine { get; set; } = PolicyEngine.Embedded;

    public OpaOptions Opa { get; set; } = new();
}

/// <summary>Configuration section <c>Policies:Opa</c>; read only when <c>Policies:Engine</c> is <c>Opa</c>.</summary>
public sealed class OpaOptions
{
    /// <summary>The OPA server, e.g. <c>http://127.0.0.1:8181</c>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The package holding the decision, as a path: the client POSTs to <c>/v1/data/{PackagePath}</c>.</summary>
    public string PackagePath { get; set; } = "consent/decision";

    /// <summary>The whole decision, retries included; past it the read is denied (<c>opa-timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>One attempt; a slow attempt is retried while the overall timeout allows.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Retries of a failed attempt (error, 5xx, timeout). An answer, permit or deny, is never retried.</summary>
    public int Retries { get; set; } = 1;

    public OpaCircuitBreakerOptions CircuitBreaker { get; set; } = new();
}

/// <summary>After too many failures the client stops calling OPA for a while and denies at once (<c>opa-circuit-open</c>).</summary>
public sealed class OpaCircuitBreakerOptions
{
    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 10;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

internal sealed class PoliciesOptionsValidator : IValidateOptions<PoliciesOptions>
{
    public ValidateOptionsResult Validate(string? name, PoliciesOptions options)
    {
        if (!Enum.IsDefined(options.Engine))
        {
            return ValidateOptionsResult.Fail($"Policies:Engine must be {nameof(PolicyEngine.Embedded)} or {nameof(PolicyEngine.Opa)}.");
        }

        if (options.Engine != PolicyEngine.Opa)
        {
            return ValidateOptionsResult.Success;
        }

        var opa = options.Opa;
        var failures = new List<string>();
        if (opa.BaseUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Policies:Opa:BaseUrl must be an absolute http or https URL.");
        }

        if (string.IsNullOrWhiteSpace(opa.PackagePath) || !IsPackagePath(opa.PackagePath))
        {
            failures.Add("Policies:Opa:PackagePath must be a package path such as consent/decision.");
        }

        if (opa.Timeout <= TimeSpan.Zero || opa.Timeout > TimeSpan.FromSeconds(30))
        {
            failures.Add("Policies:Opa:Timeout must be more than zero and at most 30 seconds.");
        }

        if (opa.AttemptTimeout <= TimeSpan.Zero || opa.AttemptTimeout > opa.Timeout)
        {
            failures.Add("Policies:Opa:AttemptTimeout must be more than zero and at most Policies:Opa:Timeout.");
        }

        if (opa.Retries is < 0 or > 5)
        {
            failures.Add("Policies:Opa:Retries must be between 0 and 5.");
        }

        var breaker = opa.CircuitBreaker;
        if (breaker.FailureRatio is <= 0 or > 1)
        {
            failures.Add("Policies:Opa:CircuitBreaker:FailureRatio must be more than 0 and at most 1.");
        }

        if (breaker.MinimumThroughput < 2)
        {
            failures.Add("Policies:Opa:CircuitBreaker:MinimumThroughput must be at least 2.");
        }

        if (breaker.SamplingDuration < TimeSpan.FromMilliseconds(500) || breaker.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            failures.Add("Policies:Opa:CircuitBreaker:SamplingDuration and BreakDuration must be at least 0.5 seconds.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsPackagePath(string path)
    {
        if (path.StartsWith('/') || path.EndsWith('/') || path.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in path)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '/'))
            {
                return false;
            }
        }

        return true;
    }
}
