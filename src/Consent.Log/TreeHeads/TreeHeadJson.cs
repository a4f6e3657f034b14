using System.Text.Json;

namespace Consent.Log.TreeHeads;

/// <summary>
/// A tree head as the API serves it and an auditor saves it:
/// <c>{"treeSize": n, "timestamp": ms, "rootHash": "&lt;64 hex&gt;", "keyId": "&lt;64 hex&gt;", "signature": "&lt;base64 DER&gt;"}</c>.
/// </summary>
public static class TreeHeadJson
{
    /// <summary>The head's JSON (camelCase, hashes lowercase hex, the signature base64).</summary>
    public static string Write(TreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("treeSize", head.TreeSize);
            writer.WriteNumber("timestamp", head.Timestamp);
            writer.WriteString("rootHash", Convert.ToHexStringLower(head.RootHash));
            writer.WriteString("keyId", head.KeyId);
            writer.WriteString("signature", Convert.ToBase64String(head.Signature));
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a head from its JSON; throws <see cref="FormatException"/> when a member is missing or malformed.</summary>
    public static TreeHead Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A tree head is a JSON object.");
            }

            var treeSize = Member(root, "treeSize", JsonValueKind.Number).GetInt64();
            var timestamp = Member(root, "timestamp", JsonValueKind.Number).GetInt64();
            var rootHash = Hex(Member(root, "rootHash", JsonValueKind.String).GetString()!, "rootHash");
            var keyId = Member(root, "keyId", JsonValueKind.String).GetString()!;
            Hex(keyId, "keyId");
            var signature = Convert.FromBase64String(Member(root, "signature", JsonValueKind.String).GetString()!);
            if (treeSize < 0 || timestamp < 0)
            {
                throw new FormatException("treeSize and timestamp are not negative.");
            }

            return new TreeHead(treeSize, timestamp, rootHash, keyId, signature);
        }
        catch (JsonException e)
        {
            throw new FormatException("Not a JSON tree head: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException("Not a JSON tree head: " + e.Message, e);
        }
    }

    private static JsonElement Member(JsonElement root, string name, JsonValueKind kind) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw new FormatException($"A tree head has \"{name}\" ({kind.ToString().ToLowerInvariant()}).");

    private static byte[] Hex(string text, string name) =>
        text.Length == 64 && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'))
            ? Convert.FromHexString(text)
            : throw new FormatException($"\"{name}\" is 64 lowercase hex digits.");
}
