using System.Text.Json;
using System.Text.Json.Serialization;
using Consent.Policies.Opa;

namespace Consent.Policies;

/// <summary>The JSON shape of the input: camelCase, absent rather than null. OPA and the vectors use it.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PolicyInput))]
[JsonSerializable(typeof(OpaRequest))]
internal sealed partial class PolicyJsonContext : JsonSerializerContext;

public static class PolicyJson
{
    /// <summary>Options for reading and writing <see cref="PolicyInput"/> as the Rego bundle reads it.</summary>
    public static JsonSerializerOptions Options => PolicyJsonContext.Default.Options;

    public static string Serialize(PolicyInput input) => JsonSerializer.Serialize(input, PolicyJsonContext.Default.PolicyInput);

    public static PolicyInput? Deserialize(string json) => JsonSerializer.Deserialize(json, PolicyJsonContext.Default.PolicyInput);
}
