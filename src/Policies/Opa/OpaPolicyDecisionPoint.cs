using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Consent.Policies.Opa;

/// <summary>
/// Asks an OPA server loaded with the Rego bundle: <c>POST /v1/data/{package path}</c> with
/// <c>{"input": ...}</c>, answered by <c>{"result": {"decision", "reasons", "obligations", "policyVersion"}}</c>.
/// Fails closed: a timeout, an error, an open circuit or an answer that is not a well-formed decision
/// is a deny with a reason saying which.
/// </summary>
public sealed partial class OpaPolicyDecisionPoint : IPolicyDecisionPoint
{
    private readonly IHttpClientFactory httpClients;
    private readonly IOptions<PoliciesOptions> options;
    private readonly ILogger<OpaPolicyDecisionPoint> logger;

    public OpaPolicyDecisionPoint(IHttpClientFactory httpClients, IOptions<PoliciesOptions> options, ILogger<OpaPolicyDecisionPoint> logger)
    {
        this.httpClients = httpClients;
        this.options = options;
        this.logger = logger;
    }

    public async ValueTask<PolicyDecision> DecideAsync(PolicyInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var path = "v1/data/" + options.Value.Opa.PackagePath;
        try
        {
            var client = httpClients.CreateClient(PoliciesServiceCollectionExtensions.OpaHttpClientName);
            using var content = JsonContent.Create(new OpaRequest(input), PolicyJsonContext.Default.OpaRequest);
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                LogHttpError(logger, (int)response.StatusCode);
                return PolicyDecision.Deny(PolicyReasons.OpaHttpErrorPrefix + (int)response.StatusCode);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            return Map(document.RootElement);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            LogTimeout(logger);
            return PolicyDecision.Deny(PolicyReasons.OpaTimeout);
        }
        catch (BrokenCircuitException)
        {
            LogCircuitOpen(logger);
            return PolicyDecision.Deny(PolicyReasons.OpaCircuitOpen);
        }
        catch (HttpRequestException exception)
        {
            LogUnreachable(logger, exception.HttpRequestError);
            return PolicyDecision.Deny(PolicyReasons.OpaUnreachable);
        }
        catch (JsonException)
        {
            LogMalformed(logger, "not JSON");
            return PolicyDecision.Deny(PolicyReasons.OpaMalformedAnswer);
        }
    }

    /// <summary>Maps OPA's answer; anything but a complete, well-typed decision is a deny.</summary>
    private PolicyDecision Map(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Malformed("the answer is not an object");
        }

        // OPA answers {} (no "result") when the package or rule is not defined: a missing bundle.
        if (!root.TryGetProperty("result", out var result) || result.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            LogUndefined(logger);
            return PolicyDecision.Deny(PolicyReasons.OpaUndefinedResult);
        }

        if (result.ValueKind != JsonValueKind.Object)
        {
            return Malformed("result is not an object");
        }

        if (!TryGetString(result, "decision", out var effectText) || effectText is not ("permit" or "deny"))
        {
            return Malformed("decision is not permit or deny");
        }

        if (!TryGetStrings(result, "reasons", out var reasons) || reasons.Length == 0)
        {
            return Malformed("reasons is not a non-empty array of strings");
        }

        if (!TryGetString(result, "policyVersion", out var version))
        {
            return Malformed("policyVersion is missing");
        }

        if (!string.Equals(version, PolicyVersion.Current, StringComparison.Ordinal))
        {
            LogVersionMismatch(logger, version, PolicyVersion.Current);
        }

        if (effectText == "deny")
        {
            return PolicyDecision.Deny(reasons, version);
        }

        if (!result.TryGetProperty("obligations", out var obligations) || obligations.ValueKind != JsonValueKind.Object
            || !TryGetStrings(obligations, "resourceTypes", out var resourceTypes)
            || !TryGetStrings(obligations, "labels", out var labels)
            || !TryGetStrings(obligations, "redactLabels", out var redactLabels)
            || !TryGetBoolean(obligations, "breakGlass", out var breakGlass)
            || !TryGetBoolean(obligations, "redisclosureNotice", out var redisclosureNotice))
        {
            return Malformed("a permit without complete obligations");
        }

        return new PolicyDecision(
            PolicyEffect.Permit,
            reasons,
            new PolicyObligations
            {
                ResourceTypes = resourceTypes,
                Labels = labels,
                RedactLabels = redactLabels,
                BreakGlass = breakGlass,
                RedisclosureNotice = redisclosureNotice,
            },
            version);
    }

    private PolicyDecision Malformed(string what)
    {
        LogMalformed(logger, what);
        return PolicyDecision.Deny(PolicyReasons.OpaMalformedAnswer);
    }

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return true;
        }

        value = "";
        return false;
    }

    private static bool TryGetBoolean(JsonElement element, string name, out bool value)
    {
        if (element.TryGetProperty(name, out var property) && property.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            value = property.GetBoolean();
            return true;
        }

        value = false;
        return false;
    }

    private static bool TryGetStrings(JsonElement element, string name, out string[] values)
    {
        values = [];
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var list = new string[property.GetArrayLength()];
        var i = 0;
        foreach (var item in property.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            list[i++] = item.GetString()!;
        }

        values = list;
        return true;
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "OPA did not answer in time; the read is denied")]
    private static partial void LogTimeout(ILogger logger);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "OPA circuit is open; the read is denied without asking")]
    private static partial void LogCircuitOpen(ILogger logger);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "OPA could not be reached ({Error}); the read is denied")]
    private static partial void LogUnreachable(ILogger logger, HttpRequestError error);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "OPA answered HTTP {StatusCode}; the read is denied")]
    private static partial void LogHttpError(ILogger logger, int statusCode);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Error, Message = "OPA's answer is malformed ({What}); the read is denied")]
    private static partial void LogMalformed(ILogger logger, string what);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Error, Message = "OPA has no decision at the configured package path (is the bundle loaded?); the read is denied")]
    private static partial void LogUndefined(ILogger logger);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "OPA's bundle is policy version {BundleVersion}, this build expects {ExpectedVersion}")]
    private static partial void LogVersionMismatch(ILogger logger, string bundleVersion, string expectedVersion);
}

/// <summary>The body OPA's Data API expects.</summary>
internal sealed record OpaRequest(PolicyInput Input);
